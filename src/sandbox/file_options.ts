/**
 * The options of the file-work programs (`mkdir`, `touch`, `rm`, `mv`, `cp`)
 * and of `cd`, as GNU coreutils 9 `--help` lists them.
 */
import type { OptionSpec } from "./getopt_options.ts";

const HELP = ["help", "version"];
/** mkdir's options. */
export const MKDIR: OptionSpec = {
  flags: "pvZ",
  valued: "m",
  long: ["parents", "verbose", ...HELP],
  longValued: ["mode"],
  longOptional: ["context"],
};
/** touch's options. */
export const TOUCH: OptionSpec = {
  flags: "acfhm",
  valued: "drt",
  long: ["no-create", "no-dereference", ...HELP],
  longValued: ["date", "reference", "time"],
};
/** rm's options; `--no-preserve-root` is refused. */
export const RM: OptionSpec = {
  flags: "fiIrRdv",
  long: ["force", "recursive", "dir", "verbose", "one-file-system", ...HELP],
  longOptional: ["interactive", "preserve-root"],
  refused: { "--no-preserve-root": "--no-preserve-root is not allowed (it lets rm remove /)" },
};
/** mv's options. */
export const MV: OptionSpec = {
  flags: "bfinTuvZ",
  valued: "St",
  long: [
    "force",
    "interactive",
    "no-clobber",
    "no-target-directory",
    "strip-trailing-slashes",
    "verbose",
    "exchange",
    "no-copy",
    "debug",
    "context",
    ...HELP,
  ],
  longValued: ["suffix", "target-directory"],
  longOptional: ["backup", "update"],
};
const NO_LINKS = "cp makes copies, not links (links are not committed)";
/** cp's options; the ones that make links are refused. */
export const CP: OptionSpec = {
  flags: "abdfHiLnPpRrTuvxZ",
  valued: "St",
  long: [
    "archive",
    "attributes-only",
    "copy-contents",
    "debug",
    "force",
    "interactive",
    "dereference",
    "no-clobber",
    "no-dereference",
    "parents",
    "recursive",
    "remove-destination",
    "strip-trailing-slashes",
    "no-target-directory",
    "verbose",
    "one-file-system",
    "keep-directory-symlink",
    ...HELP,
  ],
  longValued: ["suffix", "target-directory", "no-preserve", "sparse"],
  longOptional: ["backup", "preserve", "reflink", "update", "context"],
  refused: { "-l": NO_LINKS, "-s": NO_LINKS, "--link": NO_LINKS, "--symbolic-link": NO_LINKS },
};
/** cd's options. */
export const CD: OptionSpec = { flags: "LPe@" };
