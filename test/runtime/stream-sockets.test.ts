import { cases } from "./cases/stream-sockets.ts";
import { registerCases } from "./register.ts";

registerCases("stream-sockets", cases);
