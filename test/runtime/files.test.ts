import { cases } from "./cases/files.ts";
import { registerCases } from "./register.ts";

registerCases("files", cases);
