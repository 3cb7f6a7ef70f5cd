import { cases } from "./cases/http.ts";
import { registerCases } from "./register.ts";

registerCases("http", cases);
