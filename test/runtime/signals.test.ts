import { cases } from "./cases/signals.ts";
import { registerCases } from "./register.ts";

registerCases("signals", cases);
