import { registerCases } from "../runtime/register.ts";
import { cases } from "../runtime/cases/ninep.ts";

registerCases("ninep", cases);
