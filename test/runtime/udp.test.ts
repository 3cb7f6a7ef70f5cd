import { cases } from "./cases/udp.ts";
import { registerCases } from "./register.ts";

registerCases("udp", cases);
