/**
 * The root directory as the original spree describes it (spreed.md §2.1),
 * decoded and as captured.
 *
 * @module
 */
import { DMDIR, QTDIR } from "../../lib/ninep/constants.ts";
import type { Stat } from "../../lib/ninep/messages.ts";

/** The root's stat entry, decoded. */
export const ROOT: Stat = {
  type: 0,
  dev: 0,
  qid: { type: QTDIR, version: 0, path: 0n },
  mode: (DMDIR | 0o555) >>> 0,
  atime: 0,
  mtime: 0,
  length: 0n,
  name: ".",
  uid: "spree",
  gid: "spree",
  muid: "",
};

/** The root's stat entry as captured, in hex: size[2] then the fields. */
export const ROOT_ENTRY =
  "3a00 0000 00000000 80 00000000 0000000000000000 6d010080 00000000 00000000 0000000000000000" +
  "0100 2e 0500 7370726565 0500 7370726565 0000";
