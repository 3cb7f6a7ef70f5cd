import { cases } from "./cases/spawn.ts";
import { registerCases } from "./register.ts";

registerCases("spawn", cases);
