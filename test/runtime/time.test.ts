import { cases } from "./cases/time.ts";
import { registerCases } from "./register.ts";

registerCases("time", cases);
