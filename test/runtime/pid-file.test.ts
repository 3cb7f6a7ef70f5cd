import { cases } from "./cases/pid-file.ts";
import { registerCases } from "./register.ts";

registerCases("pid-file", cases);
