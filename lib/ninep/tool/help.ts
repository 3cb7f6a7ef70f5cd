/**
 * What `spreed 9p` and its commands say for `--help`: their names,
 * summaries, options and the prose of their man pages. The OPTIONS
 * sections come from the argument tables here, which the parser uses too.
 *
 * @module
 */
import type { Manual, OptionsDef } from "../../cli.ts";
import { DEFAULT_MSIZE, MIN_MSIZE } from "../version.ts";

/**
 * The dial string `spreed 9p` connects to without `-a`: spreed on this host.
 *
 * @example
 * ```ts
 * NINEP_DEFAULT_ADDRESS; // "tcp!127.0.0.1!3242"
 * ```
 */
export const NINEP_DEFAULT_ADDRESS = "tcp!127.0.0.1!3242";

/**
 * The largest msize `-m` takes: anything the 32-bit field carries (the
 * server caps it at its own).
 *
 * @example
 * ```ts
 * numberOption("-m", "65560", { min: MIN_MSIZE, max: NINEP_MAX_MSIZE }); // 65560
 * ```
 */
export const NINEP_MAX_MSIZE = 0xffffffff;

/**
 * The options every `spreed 9p` command takes: where to connect and how to
 * attach.
 *
 * @example
 * ```ts
 * parseOptions(["-u", "alice", "-a", "tcp!spree.example!3242"], NINEP_ARGS).user; // "alice"
 * ```
 */
export const NINEP_ARGS = {
  address: {
    type: "string",
    alias: ["a"],
    valueHint: "ADDR",
    default: NINEP_DEFAULT_ADDRESS,
    description: "the server's dial string: tcp!HOST!PORT (net! too) or unix!PATH",
  },
  user: {
    type: "string",
    alias: ["u"],
    valueHint: "USER",
    description: "the name to attach as (default: $USER, else none)",
  },
  msize: {
    type: "string",
    alias: ["m"],
    valueHint: "MSIZE",
    default: String(DEFAULT_MSIZE),
    description: `the largest 9P message to ask for in Tversion (${MIN_MSIZE}..${NINEP_MAX_MSIZE})`,
  },
  aname: {
    type: "string",
    alias: ["n"],
    valueHint: "ANAME",
    description: "the tree to attach to (default: empty, the server's only tree)",
  },
} as const satisfies OptionsDef;

/**
 * `ls`'s options besides {@link NINEP_ARGS}.
 *
 * @example
 * ```ts
 * parseOptions(["-l", "/", "0"], { ...NINEP_ARGS, ...NINEP_LS_ARGS }).paths; // ["/", "0"]
 * ```
 */
export const NINEP_LS_ARGS = {
  long: {
    type: "boolean",
    alias: ["l"],
    description: "long listing: mode, owner, group, length and name of each file",
  },
  paths: { type: "positional", multiple: true, valueHint: "PATH", description: "files or directories to list" },
} as const satisfies OptionsDef;

/**
 * `stat`'s options besides {@link NINEP_ARGS}.
 *
 * @example
 * ```ts
 * parseOptions(["--raw", "name"], { ...NINEP_ARGS, ...NINEP_STAT_ARGS }).raw; // true
 * ```
 */
export const NINEP_STAT_ARGS = {
  raw: { type: "boolean", description: "print the stat entry as the server sent it, in hex, one group per field" },
  path: { type: "positional", valueHint: "PATH", description: "the file" },
} as const satisfies OptionsDef;

/**
 * `read`'s options besides {@link NINEP_ARGS}.
 *
 * @example
 * ```ts
 * parseOptions(["-c", "20", "0/ctl"], { ...NINEP_ARGS, ...NINEP_READ_ARGS }).count; // "20"
 * ```
 */
export const NINEP_READ_ARGS = {
  count: {
    type: "string",
    alias: ["c"],
    valueHint: "COUNT",
    description: "bytes each Tread asks for, at most msize-24 (default: the iounit, else msize-24)",
  },
  path: { type: "positional", valueHint: "PATH", description: "the file" },
} as const satisfies OptionsDef;

/**
 * `write`'s options besides {@link NINEP_ARGS}.
 *
 * @example
 * ```ts
 * parseOptions(["-l", "0/ctl"], { ...NINEP_ARGS, ...NINEP_WRITE_ARGS }).lines; // true
 * ```
 */
export const NINEP_WRITE_ARGS = {
  lines: {
    type: "boolean",
    alias: ["l"],
    description: "one Twrite per line of standard input, without its newline",
  },
  path: { type: "positional", valueHint: "PATH", description: "the file" },
} as const satisfies OptionsDef;

/**
 * `rdwr`'s options besides {@link NINEP_ARGS}.
 *
 * @example
 * ```ts
 * parseOptions(["-r", "new"], { ...NINEP_ARGS, ...NINEP_RDWR_ARGS })["keep-newline"]; // true
 * ```
 */
export const NINEP_RDWR_ARGS = {
  "keep-newline": {
    type: "boolean",
    alias: ["r"],
    description: "write each line with its newline",
  },
  path: { type: "positional", valueHint: "PATH", description: "the file" },
} as const satisfies OptionsDef;

const PATHS = [
  "PATH names a file from the root of the attached tree: its elements are separated by `/`;",
  "empty and `.` elements are skipped (so `/`, `.` and an empty PATH are the root) and `..`",
  "goes to the parent. Long paths are walked 16 elements per Twalk.",
].join("\n");

const EXIT_STATUS = [
  "0 done; 1 the server refused a request (Rerror), said as `spreed 9p: PATH: <error>`;",
  "64 usage; 69 cannot connect, or the connection was lost; 74 standard input cannot be read;",
  "76 the server broke the 9P2000 protocol (a malformed or unexpected reply, a version other",
  "than 9P2000).",
].join("\n");

/**
 * `spreed 9p`'s name and one-line summary.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: NINEP_META, manual: NINEP_MANUAL, args: NINEP_ARGS, subCommands });
 * ```
 */
export const NINEP_META = {
  name: "9p",
  description: "a 9P2000 client: list, stat, read and write the files of any 9P2000 server",
};

/**
 * The prose of `spreed 9p --help`.
 *
 * @example
 * ```ts
 * NINEP_MANUAL.synopsis[0]; // "[-a ADDR] [-u USER] [-m MSIZE] [-n ANAME] COMMAND ARGS…"
 * ```
 */
export const NINEP_MANUAL: Manual = {
  synopsis: [
    "[-a ADDR] [-u USER] [-m MSIZE] [-n ANAME] COMMAND ARGS…",
    "ls [-l] PATH…",
    "stat [--raw] PATH",
    "read [-c COUNT] PATH",
    "write [-l] PATH",
    "rdwr [-r] PATH",
  ],
  description: [
    "Connects to the 9P2000 server at ADDR (default tcp!127.0.0.1!3242, spreed on this host),",
    "agrees on the version and msize (Tversion), attaches as USER to the tree ANAME without",
    "authentication (Tattach) and runs one command on one or more files. Any 9P2000 server",
    "will do; against spreed, `rdwr new` and then typing `create chat` starts a chat clique.",
    "The options below go before or after the command's name; a command's own options after it.",
    "",
    PATHS,
  ].join("\n"),
  sections: [
    [
      "EXAMPLES",
      "spreed 9p ls -l /\n" +
      "spreed 9p -u alice read name\n" +
      "printf 'join\\nchat hello\\n' | spreed 9p -u bob write -l 0/ctl\n" +
      "spreed 9p -u alice rdwr new        # then type: create chat",
    ],
    ["EXIT STATUS", EXIT_STATUS],
  ],
};

/**
 * `ls`'s name and summary.
 *
 * @example
 * ```ts
 * NINEP_LS_META.name; // "ls"
 * ```
 */
export const NINEP_LS_META = { name: "ls", description: "list directories, or name files" };

/**
 * The prose of `spreed 9p ls --help`.
 *
 * @example
 * ```ts
 * NINEP_LS_MANUAL.synopsis[0]; // "[-l] PATH…"
 * ```
 */
export const NINEP_LS_MANUAL: Manual = {
  synopsis: ["[-l] PATH…"],
  description: [
    "For each PATH that is a directory, prints the names of its entries, one a line, in the",
    "order the server gives them; a PATH that is a file lists itself. -l prints instead",
    "`<mode> <uid> <gid> <length> <name>`, the mode in Plan 9's letters: `d` for a directory",
    "(`a` append-only, `A` an authentication file, else `-`), `l` if exclusive-use, then",
    "`rwx` for owner, group and others; spreed's root lists `d-r-xr-xr-x spree spree 0 0`",
    "and `--r--r--r-- spree spree 0 name`. A PATH that fails is reported and the others",
    "are still listed.",
    "",
    PATHS,
  ].join("\n"),
  sections: [["EXIT STATUS", `${EXIT_STATUS}\nls exits 1 if any PATH failed.`]],
};

/**
 * `stat`'s name and summary.
 *
 * @example
 * ```ts
 * NINEP_STAT_META.name; // "stat"
 * ```
 */
export const NINEP_STAT_META = { name: "stat", description: "print a file's stat entry" };

/**
 * The prose of `spreed 9p stat --help`.
 *
 * @example
 * ```ts
 * NINEP_STAT_MANUAL.synopsis[0]; // "[--raw] PATH"
 * ```
 */
export const NINEP_STAT_MANUAL: Manual = {
  synopsis: ["[--raw] PATH"],
  description: [
    "Prints PATH's stat entry (Tstat), one `field value` line per field, in the entry's order:",
    "type, dev, qid.type, qid.vers, qid.path, mode, atime, mtime, length, name, uid, gid, muid.",
    "Numbers are decimal except qid.type, qid.path and mode, which are hex (`0x80`); mode is",
    "followed by its letters as ls -l prints them. Strings are printed as they are, an empty",
    "one as nothing after the space. --raw prints instead the entry's bytes as the server sent",
    "them, in hex, a space between fields (its size first, each string as its length and its",
    "bytes), as 9P captures are written.",
    "",
    PATHS,
  ].join("\n"),
  sections: [["EXIT STATUS", EXIT_STATUS]],
};

/**
 * `read`'s name and summary.
 *
 * @example
 * ```ts
 * NINEP_READ_META.name; // "read"
 * ```
 */
export const NINEP_READ_META = { name: "read", description: "copy a file to standard output" };

/**
 * The prose of `spreed 9p read --help`.
 *
 * @example
 * ```ts
 * NINEP_READ_MANUAL.synopsis[0]; // "[-c COUNT] PATH"
 * ```
 */
export const NINEP_READ_MANUAL: Manual = {
  synopsis: ["[-c COUNT] PATH"],
  description: [
    "Opens PATH for reading (OREAD) and reads it from offset 0 until a read returns no bytes,",
    "writing the data to standard output exactly as it comes. Each Tread asks for COUNT bytes",
    "(at most msize-24); by default the iounit the open returned, else msize-24. A file that",
    "never ends (a spreed ctl file) is read until the program is interrupted.",
    "",
    PATHS,
  ].join("\n"),
  sections: [["EXIT STATUS", EXIT_STATUS]],
};

/**
 * `write`'s name and summary.
 *
 * @example
 * ```ts
 * NINEP_WRITE_META.name; // "write"
 * ```
 */
export const NINEP_WRITE_META = { name: "write", description: "copy standard input to a file" };

/**
 * The prose of `spreed 9p write --help`.
 *
 * @example
 * ```ts
 * NINEP_WRITE_MANUAL.synopsis[0]; // "[-l] PATH"
 * ```
 */
export const NINEP_WRITE_MANUAL: Manual = {
  synopsis: ["[-l] PATH"],
  description: [
    "Opens PATH for writing (OWRITE) and writes standard input to it from offset 0, in Twrites",
    "of the iounit the open returned (msize-24 if it gave none); only the last may be shorter.",
    "With -l, each line of standard input is one Twrite without its newline; empty lines are",
    "skipped, and a last line without a newline is written too. Empty standard input writes",
    "one zero-length Twrite (on a spreed ctl file: hang up). The first Rerror, or a Twrite the",
    "server takes only part of, stops the copy.",
    "",
    PATHS,
  ].join("\n"),
  sections: [["EXIT STATUS", EXIT_STATUS]],
};

/**
 * `rdwr`'s name and summary.
 *
 * @example
 * ```ts
 * NINEP_RDWR_META.name; // "rdwr"
 * ```
 */
export const NINEP_RDWR_META = { name: "rdwr", description: "read a file and write lines to it, at once" };

/**
 * The prose of `spreed 9p rdwr --help`.
 *
 * @example
 * ```ts
 * NINEP_RDWR_MANUAL.synopsis[0]; // "[-r] PATH"
 * ```
 */
export const NINEP_RDWR_MANUAL: Manual = {
  synopsis: ["[-r] PATH"],
  description: [
    "Opens PATH for reading and writing (ORDWR) and does two things at once. It keeps one",
    "Tread outstanding and writes each Rread's data to standard output as it arrives, exactly",
    "as it comes (a spreed update read that ends `\\n*`, more to come, shows it). And it writes",
    "each line of standard input as one Twrite, without its newline (-r keeps it); empty lines",
    "are skipped. A refused write is reported as `spreed 9p: <error>` on standard error and",
    "the next line is written. At the end of standard input it writes a zero-length Twrite",
    "(on spreed: hang up), waits for the read to return no bytes, clunks the file and exits 0;",
    "if the server refuses that last write, it stops waiting at once. A read that returns no",
    "bytes (end of file, or a hung-up spreed fid) also ends it; an Rerror to a read ends it",
    "with status 1.",
    "",
    PATHS,
  ].join("\n"),
  sections: [
    ["EXAMPLE", "spreed 9p -u alice rdwr new\ncreate chat\nchat hello"],
    ["EXIT STATUS", EXIT_STATUS],
  ],
};
