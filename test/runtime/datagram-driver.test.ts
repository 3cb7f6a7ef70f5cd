import { cases } from "./cases/datagram-driver.ts";
import { registerCases } from "./register.ts";

registerCases("datagram-driver", cases);
