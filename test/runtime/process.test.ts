import { cases } from "./cases/process.ts";
import { registerCases } from "./register.ts";

registerCases("process", cases);
