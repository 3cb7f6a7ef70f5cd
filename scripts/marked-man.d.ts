/**
 * Types for marked-man, which ships none: a marked extension writing roff,
 * configured through marked's options (scripts/man-page.ts).
 *
 * @module
 */
declare module "marked-man" {
  import type { MarkedExtension } from "marked";

  const markedMan: MarkedExtension;
  export default markedMan;
}
