import { cases } from "./cases/window.ts";
import { registerCases } from "./register.ts";

registerCases("window", cases);
