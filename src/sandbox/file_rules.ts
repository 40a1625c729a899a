/**
 * The path rules of the file-work programs the restricted command policy
 * allows (`mkdir`, `touch`, `cp`, `mv`, `rm`) and of `cd`: their options are
 * read as GNU getopt_long reads them, and every path that would leave
 * /workspace or enter `.git/` is refused, with a sentence saying why. The
 * allowlist that uses these checks is in `program_rules.ts`.
 */
import { ToolError } from "../errors.ts";
import { checkToolPath } from "./path_jail.ts";
import { WORKSPACE } from "./sandbox.ts";
import { EXPANSION, type Word } from "./shell_words.ts";

/**
 * The options one program takes, as GNU getopt_long reads them (GNU
 * coreutils 9 `--help`). Long options must be written in full: getopt's
 * abbreviations (`--no-pres`) are refused as unknown.
 */
interface OptionSpec {
  /** Short options without a value, e.g. `"fr"`. */
  flags: string;
  /** Short options that take a value: the rest of the cluster or the next word. */
  valued?: string;
  /** Long options without a value (`--force`). */
  long?: string[];
  /** Long options that need a value: `--name=value` or `--name value`. */
  longValued?: string[];
  /** Long options whose value is optional and only given as `--name=value`. */
  longOptional?: string[];
  /** Options refused with the reason why, keyed `-s` or `--link`. */
  refused?: Record<string, string>;
}

/** One option as read, e.g. `{name: "-t", value: "app"}`. */
interface ParsedOption {
  name: string;
  value?: string;
}

const HELP = ["help", "version"];
const MKDIR: OptionSpec = {
  flags: "pvZ",
  valued: "m",
  long: ["parents", "verbose", ...HELP],
  longValued: ["mode"],
  longOptional: ["context"],
};
const TOUCH: OptionSpec = {
  flags: "acfhm",
  valued: "drt",
  long: ["no-create", "no-dereference", ...HELP],
  longValued: ["date", "reference", "time"],
};
const RM: OptionSpec = {
  flags: "fiIrRdv",
  long: ["force", "recursive", "dir", "verbose", "one-file-system", ...HELP],
  longOptional: ["interactive", "preserve-root"],
  refused: { "--no-preserve-root": "--no-preserve-root is not allowed (it lets rm remove /)" },
};
const MV: OptionSpec = {
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
const CP: OptionSpec = {
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
const CD: OptionSpec = { flags: "LPe@" };

/**
 * What a command does with a path, which decides the rules it must meet:
 * - `write` (mkdir, touch, the destination of cp and mv, where cd goes):
 *   under /workspace (the workspace itself included), not in `.git/`;
 * - `move` (a source of mv): the same, and not /workspace itself or the current folder;
 * - `remove` (rm): as `move`, and no wildcard that matches every name
 *   directly in /workspace or the current folder (`./*`, `/workspace/*`);
 * - `copy` (a source of cp): anywhere outside /workspace may be read (cat can
 *   read it anyway); inside, not `.git/`, /workspace itself or the current folder
 *   (copying either would copy `.git/`).
 */
type PathUse = "write" | "move" | "remove" | "copy";

/** Characters bash expands against file names (`[` too, though a parsed word's `glob` flag does not count it). */
const WILDCARD = /[*?[]/;

/**
 * Checks one path argument of a file-work program. Paths are read as written
 * (lexically): the policy does not know the shell's working directory, but
 * `cd` may only go to folders under /workspace, so a relative path without
 * `..` stays under /workspace. Symlinks are not followed here; the container
 * is the boundary.
 * @returns why the path is refused, as a sentence naming it, or undefined.
 */
function checkPath(path: string, use: PathUse): string | undefined {
  const shown = path.replaceAll(EXPANSION, "$…");
  const refuse = (why: string) => `The path ${shown} ${why}`;
  if (path.includes(EXPANSION)) return refuse("must be written out, not come from a $variable");
  if (path.startsWith("~")) return refuse(`starts with "~", the home folder, which is outside ${WORKSPACE}`);
  if (path === "") return refuse("is empty");
  if (/^[*?[]/.test(path)) {
    return refuse(`starts with a wildcard, which could expand to an option; write ./${shown}`);
  }
  const absolute = path.startsWith("/");
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  const wild = parts.findIndex((p) => WILDCARD.test(p));
  if (wild >= 0 && wild < parts.length - 1) {
    return refuse("has a wildcard before its last part; only the last part of a path may hold *, ? or [");
  }
  if (wild >= 0 && parts[wild]!.startsWith(".")) {
    return refuse('has a wildcard in a name that starts with ".", which could match .git');
  }
  if (parts.includes("..")) {
    return refuse(
      absolute
        ? 'contains "..", which is not allowed; write the path without it'
        : `contains "..", which is not allowed: the policy cannot tell which folder the shell is in, so ` +
          `write the path from ${WORKSPACE}, e.g. ${WORKSPACE}/app/x.py`,
    );
  }
  if (parts.includes(".git")) return refuse("is inside .git/, which the tools do not touch");
  const normal = "/" + parts.join("/");
  const inWorkspace = !absolute || normal === WORKSPACE || normal.startsWith(WORKSPACE + "/");
  if (!inWorkspace) return use === "copy" ? undefined : jailRefusal(path);
  if (use === "write") return undefined;
  if (absolute ? normal === WORKSPACE : parts.length === 0) {
    const what = absolute
      ? `is ${WORKSPACE} itself`
      : `is the current folder, which may be ${WORKSPACE} itself`;
    if (use === "copy") {
      return refuse(`${what}; copying it would copy .git/ too, so copy the folders you need`);
    }
    return refuse(`${what}; ${use} what is inside it instead, by name`);
  }
  const last = parts[parts.length - 1] ?? "";
  const matchesAll = wild >= 0 && last.replace(/\[[^\]]*\]/g, "").replace(/[*?]/g, "") === "";
  if (use === "remove" && matchesAll && parts.length === (absolute ? 2 : 1)) {
    return refuse(
      `would match everything directly in ${WORKSPACE} or the current folder, which could empty the ` +
        "workspace; name a folder or a pattern, e.g. rm -r app/* or rm ./*.pyc",
    );
  }
  return undefined;
}

/** The path jail's own words for a path outside /workspace (see `path_jail.ts`). */
function jailRefusal(path: string): string {
  try {
    checkToolPath(path);
  } catch (error) {
    if (error instanceof ToolError) return error.message;
    throw error;
  }
  return `The path ${path} is outside ${WORKSPACE}; only files under ${WORKSPACE} can be used`;
}

/**
 * Reads `args` as getopt_long would: options anywhere before `--` (GNU
 * permutes), clusters of short flags (`-rf`), a value glued to its short
 * option or in the next word (`-tapp`, `-t app`), `--name=value`.
 * @returns the options and the operands, or why an option is refused.
 */
function parseOptions(
  args: Word[],
  spec: OptionSpec,
): { options: ParsedOption[]; operands: string[] } | string {
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  const refused = (name: string) => spec.refused?.[name];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!.text;
    if (arg === "--") {
      operands.push(...args.slice(i + 1).map((a) => a.text));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      operands.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const value = eq < 0 ? undefined : arg.slice(eq + 1);
      const why = refused(`--${name}`);
      if (why) return why;
      if (spec.long?.includes(name)) {
        if (value !== undefined) return `the option --${name} takes no value`;
        options.push({ name: `--${name}` });
      } else if (spec.longValued?.includes(name)) {
        const given = value ?? args[++i]?.text;
        if (given === undefined) return `the option --${name} needs a value`;
        options.push({ name: `--${name}`, value: given });
      } else if (spec.longOptional?.includes(name)) {
        options.push(value === undefined ? { name: `--${name}` } : { name: `--${name}`, value });
      } else return unknownOption(`--${name}`, spec);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      const why = refused(`-${letter}`);
      if (why) return why;
      if (spec.flags.includes(letter)) options.push({ name: `-${letter}` });
      else if (spec.valued?.includes(letter)) {
        const given = arg.length > j + 1 ? arg.slice(j + 1) : args[++i]?.text;
        if (given === undefined) return `the option -${letter} needs a value`;
        options.push({ name: `-${letter}`, value: given });
        break;
      } else return unknownOption(`-${letter}`, spec);
    }
  }
  return { options, operands };
}

function unknownOption(name: string, spec: OptionSpec): string {
  const known = [
    ...[...spec.flags, ...(spec.valued ?? "")].map((c) => `-${c}`),
    ...[...(spec.long ?? []), ...(spec.longValued ?? []), ...(spec.longOptional ?? [])].map((n) => `--${n}`),
  ];
  const shown = name.replaceAll(EXPANSION, "$…");
  return `the option ${shown} is not one the policy knows (known: ${
    known.join(" ")
  }; write long options in full)`;
}

/** The values given to any of `names`, e.g. every `-t`/`--target-directory`. */
function valuesOf(options: ParsedOption[], ...names: string[]): string[] {
  return options.flatMap((o) => (names.includes(o.name) && o.value !== undefined ? [o.value] : []));
}

function firstRefusal(paths: string[], use: PathUse): string | undefined {
  for (const path of paths) {
    const reason = checkPath(path, use);
    if (reason) return reason;
  }
  return undefined;
}

/** mkdir and touch: every operand is written. */
function checkWrites(args: Word[], spec: OptionSpec): string | undefined {
  const parsed = parseOptions(args, spec);
  if (typeof parsed === "string") return parsed;
  return firstRefusal(parsed.operands, "write");
}

/** rm: every operand is removed. */
export function checkRm(args: Word[]): string | undefined {
  const parsed = parseOptions(args, RM);
  if (typeof parsed === "string") return parsed;
  return firstRefusal(parsed.operands, "remove");
}

/**
 * cp and mv: with `-t DIR` every operand is a source, otherwise the last
 * operand is the destination. A backup suffix may not hold a `/`.
 */
function checkCopyOrMove(program: "cp" | "mv", args: Word[]): string | undefined {
  const parsed = parseOptions(args, program === "cp" ? CP : MV);
  if (typeof parsed === "string") return parsed;
  const suffix = valuesOf(parsed.options, "-S", "--suffix").find((v) => v.includes("/"));
  if (suffix !== undefined) {
    return `the backup suffix ${suffix} contains "/", which could put the backup elsewhere`;
  }
  const targets = valuesOf(parsed.options, "-t", "--target-directory");
  const { operands } = parsed;
  const [sources, destinations] = targets.length > 0 || operands.length < 2
    ? [operands, targets]
    : [operands.slice(0, -1), operands.slice(-1)];
  return firstRefusal(sources, program === "cp" ? "copy" : "move") ?? firstRefusal(destinations, "write");
}

/**
 * cd may only go to a folder under /workspace, written out, so the shell's
 * working directory stays there and a relative path without `..` means a
 * path under /workspace.
 */
export function checkCd(args: Word[]): string | undefined {
  const parsed = parseOptions(args, CD);
  if (typeof parsed === "string") return parsed;
  const [target, ...more] = parsed.operands;
  const example = `e.g. cd ${WORKSPACE}/app`;
  if (target === undefined) {
    return `name a folder under ${WORKSPACE}, ${example} (a bare cd goes to the home folder)`;
  }
  if (more.length > 0) return `give one folder, ${example}`;
  if (target === "-") return `"-" (the previous folder) is not allowed; name the folder, ${example}`;
  const reason = checkPath(target, "write");
  return reason && `${reason} (cd stays under ${WORKSPACE}, so that relative paths stay there too)`;
}

/** mkdir: every operand is written. */
export function checkMkdir(args: Word[]): string | undefined {
  return checkWrites(args, MKDIR);
}

/** touch: every operand is written. */
export function checkTouch(args: Word[]): string | undefined {
  return checkWrites(args, TOUCH);
}

/** mv: see {@link checkCopyOrMove}. */
export function checkMv(args: Word[]): string | undefined {
  return checkCopyOrMove("mv", args);
}

/** cp: see {@link checkCopyOrMove}. */
export function checkCp(args: Word[]): string | undefined {
  return checkCopyOrMove("cp", args);
}
