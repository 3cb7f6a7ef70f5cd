import { cases } from "./cases/stream-driver.ts";
import { registerCases } from "./register.ts";

registerCases("stream-driver", cases);
