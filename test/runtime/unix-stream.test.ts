import { cases } from "./cases/unix-stream.ts";
import { registerCases } from "./register.ts";

registerCases("unix-stream", cases);
