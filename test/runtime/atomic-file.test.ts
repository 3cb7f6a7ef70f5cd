import { cases } from "./cases/atomic-file.ts";
import { registerCases } from "./register.ts";

registerCases("atomic-file", cases);
