/**
 * What burnerd's `--help` and `--version` say: its name, version and
 * summary, and the prose of its man page. The OPTIONS section comes from
 * BURNERD_ARGS.
 *
 * @module
 */
import type { Manual } from "../cli.ts";
import { STAND_VERSION } from "./config.ts";

/**
 * burnerd's name, version and one-line summary.
 *
 * @example
 * ```ts
 * defineGnuCommand({ meta: BURNERD_META, manual: BURNERD_MANUAL, args: BURNERD_ARGS, run });
 * ```
 */
export const BURNERD_META = {
  name: "burnerd",
  version: STAND_VERSION,
  description: "burn and verify discs for a 'Buntu Stand server, one optical drive each",
};

/**
 * The prose of burnerd's `--help` page.
 *
 * @example
 * ```ts
 * BURNERD_MANUAL.synopsis[0]; // "--device PATH --iso-dir DIR [--server HOST:PORT] [options]"
 * ```
 */
export const BURNERD_MANUAL: Manual = {
  synopsis: [
    "--device PATH --iso-dir DIR [--server HOST:PORT] [options]",
    "--fake[=SPEC] --iso-dir DIR [--server HOST:PORT] [options]",
  ],
  description: [
    "Drives one optical drive for standd, the 'Buntu Stand server: it offers the images of",
    "--iso-dir by md5, reports the tray (OPEN, EMPTY, a blank disc AVAIL), and when standd",
    "sends BURN it burns the image with --tool, verifies the md5 of exactly the image's bytes",
    "read back, reports PASS or FAIL and ejects the disc. A disc that is not blank is ejected",
    "unburnt. Progress goes to standd at 0, 25, 50, 75 and 100 %. Burns and verifies go on",
    "while standd is away; burnerd redials (0.5 s doubling to 30 s) and reports the verdict",
    "first when it is back. Run one burnerd per drive, as an ordinary user in the cdrom group.",
    "The id standd knows the burner by is md5(MAC + device) and is kept in --id-file.",
  ].join("\n"),
  sections: [
    [
      "EXAMPLES",
      "burnerd --device /dev/disk/by-id/usb-HL-DT-ST_DVDRAM-0:0 --iso-dir /srv/isos \\\n" +
      "        --server stand.local:1337\n" +
      "burnerd --fake=type=DVD,rate=64M,reload=0 --iso-dir ./isos --id-file ./fake.id\n" +
      "burnerd --device stdio:/tmp/out.iso --tool xorriso --drive-type CDR --iso-dir ./isos \\\n" +
      "        --id-file ./stdio.id",
    ],
    [
      "FILES",
      "/var/lib/burnerd/<device basename>.id   the burner's id (fake.id with --fake)\n" +
      "<id file's directory>/md5cache.json    image hashes, by path, size, mtime and inode\n" +
      "<image>.iso.txt                        the image's description (at most 4 KiB)",
    ],
    [
      "SIGNALS",
      "SIGTERM, SIGINT: refuse new burns, finish the current burn and verify, report, exit 0;\n" +
      "a second one stops the burn tool and the job FAILs.\n" +
      "SIGHUP: rescan --iso-dir now (it is rescanned every 60 s anyway).",
    ],
    [
      "EXIT STATUS",
      "0 stopped by a signal; 64 usage; 65 the id file holds no id; 66 a missing --iso-dir;\n" +
      "69 the device is absent or not a burner, or the burn tool is missing;\n" +
      "73 the id file cannot be written.",
    ],
  ],
};
