/**
 * The programs the restricted command policy allows, and the arguments it
 * refuses for each: options that delete, write files elsewhere or run other
 * programs (`find -exec`, `sed -i`, `sort -o`, `rg --pre`, `git -c`…), and
 * for the file-work programs (`mkdir`, `touch`, `cp`, `mv`, `rm`) and `cd`,
 * every path that would leave /workspace or enter `.git/` (`file_rules.ts`).
 *
 * Scripts given to interpreters are not read: `awk`'s `system()` and `sed`'s
 * `e`/`w` commands, like Python itself, can do what the container allows.
 * The rules steer the model; the container is what confines it.
 */
import { checkCd, checkCp, checkMkdir, checkMv, checkRm, checkTouch } from "./file_rules.ts";
import { EXPANSION, type Word } from "./shell_words.ts";

/** Checks one program's arguments; returns why they are refused, or undefined. */
export type ArgumentCheck = (args: Word[]) => string | undefined;

/** Programs allowed with any arguments. */
const FREE = [
  "python",
  "python3",
  "pytest",
  "ls",
  "cat",
  "head",
  "tail",
  "wc",
  "grep",
  "awk",
  "cut",
  "tr",
  "diff",
  "echo",
  "pwd",
  "true",
  "false",
  "test",
  "[",
  "stat",
  "file",
  "basename",
  "dirname",
  "realpath",
];

/**
 * The default allowlist: program name → argument check (undefined = any
 * arguments). `python3.N` is accepted as `python3`.
 */
export const DEFAULT_PROGRAMS: Readonly<Record<string, ArgumentCheck | undefined>> = {
  ...Object.fromEntries(FREE.map((name) => [name, undefined])),
  find: checked("find", (args) =>
    refuseExact(args, [
      "-exec",
      "-execdir",
      "-ok",
      "-okdir",
      "-delete",
      "-fprint",
      "-fprint0",
      "-fprintf",
      "-fls",
    ])),
  sed: checked("sed", (args) => {
    const inPlace = refuseLong(args, ["--in-place"]) ?? refuseShort(args, "i", "efl");
    return inPlace && `${inPlace} (edit files with str_replace_based_edit_tool)`;
  }),
  sort: checked(
    "sort",
    (args) => refuseLong(args, ["--output", "--compress-program"]) ?? refuseShort(args, "o", "ktST"),
  ),
  uniq: checked("uniq", (args) => {
    const operands = operandsOf(args, new Set(["-f", "-s", "-w"]));
    return operands.length > 1 ? "uniq with an output file" : undefined;
  }),
  rg: checked("rg", (args) => refuseLong(args, ["--pre", "--pre-glob"])),
  tree: checked("tree", (args) => refuseExact(args, ["-o"])),
  printf: checked(
    "printf",
    (args) => refuseExact(args.slice(0, 1), ["-v"]) && "-v (it sets a shell variable)",
  ),
  git: checked("git", checkGit),
  cd: checkedPaths("cd", checkCd),
  mkdir: checkedPaths("mkdir", checkMkdir),
  touch: checkedPaths("touch", checkTouch),
  rm: checkedPaths("rm", checkRm),
  mv: checkedPaths("mv", checkMv),
  cp: checkedPaths("cp", checkCp),
  sleep: checkedPaths("sleep", checkSleep),
};

/** The longest pause `sleep` may take, in seconds; the command timeout applies as well. */
export const MAX_SLEEP_SECONDS = 600;

const SLEEP_UNITS: Record<string, number> = { "": 1, s: 1, m: 60, h: 3_600, d: 86_400 };

/** sleep takes one duration (`5`, `0.5`, `2m`) of at most {@link MAX_SLEEP_SECONDS}. */
function checkSleep(args: Word[]): string | undefined {
  const usage = `give one duration of at most ${MAX_SLEEP_SECONDS} seconds, e.g. sleep 5 or sleep 0.5`;
  if (args.length !== 1) return usage;
  const text = args[0]!.text;
  const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text);
  if (!match) return `the duration ${text.replaceAll(EXPANSION, "$…")} is not a number of seconds; ${usage}`;
  const seconds = Number(match[1]) * SLEEP_UNITS[match[2]!]!;
  if (seconds > MAX_SLEEP_SECONDS) {
    return `the duration ${text} is ${seconds} seconds, over the limit of ${MAX_SLEEP_SECONDS} seconds`;
  }
  return undefined;
}

/** Resolves a program name against `programs`; `python3.12` matches `python3`. */
export function lookupProgram(
  programs: Readonly<Record<string, ArgumentCheck | undefined>>,
  name: string,
): { allowed: boolean; check?: ArgumentCheck } {
  const key = /^python3\.\d+$/.test(name) ? "python3" : name;
  if (!Object.hasOwn(programs, key)) return { allowed: false };
  const check = programs[key];
  return check ? { allowed: true, check } : { allowed: true };
}

const GIT_SUBCOMMANDS = new Set([
  "status",
  "diff",
  "log",
  "show",
  "ls-files",
  "rev-parse",
  "grep",
  "blame",
  "branch",
]);
const BRANCH_FLAGS = new Set([
  "--list",
  "-l",
  "-a",
  "--all",
  "-r",
  "--remotes",
  "-v",
  "-vv",
  "--verbose",
  "--show-current",
  "--no-color",
  "--color",
  "--column",
  "--no-column",
  "-i",
  "--ignore-case",
  "--omit-empty",
]);
const BRANCH_VALUE_FLAGS = new Set(["--merged", "--no-merged", "--contains", "--no-contains", "--points-at"]);

function checkGit(args: Word[]): string | undefined {
  const sub = args[0]?.text;
  if (sub === undefined) return undefined;
  if (sub.startsWith("-")) return `${sub} (options before the subcommand, such as -C or -c, are not allowed)`;
  if (!GIT_SUBCOMMANDS.has(sub)) {
    return `${sub} (only read-only git is allowed: ${[...GIT_SUBCOMMANDS].join(", ")})`;
  }
  const rest = args.slice(1);
  const refused = refuseLong(rest, ["--output", "--ext-diff", "--open-files-in-pager"]) ??
    optionsOf(rest).find((a) => a.startsWith("-O"));
  if (refused) return `${sub} ${refused}`;
  if (sub !== "branch") return undefined;
  const listing = rest.some((a) => a.text === "--list" || a.text === "-l");
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!.text;
    if (BRANCH_VALUE_FLAGS.has(arg)) {
      i += 1;
      continue;
    }
    if (/^--(sort|format|merged|no-merged|contains|no-contains|points-at)=/.test(arg)) continue;
    if (arg.startsWith("-") ? !BRANCH_FLAGS.has(arg) : !listing) {
      return `branch ${arg} (only listing branches is allowed, e.g. git branch --list)`;
    }
  }
  return undefined;
}

/**
 * Wraps a check with the rule every checked program shares: an argument whose
 * start is unknown before bash runs (a `$variable`, a leading wildcard, a brace
 * expansion) could expand to a refused option, so it is refused too.
 */
function checked(program: string, check: ArgumentCheck): ArgumentCheck {
  return (args) => {
    for (const arg of args) {
      if (arg.text.startsWith(EXPANSION) || (arg.glob && /^[*?[]/.test(arg.text))) {
        return `${program} with an argument that starts with a $variable or a wildcard (it could expand to an option)`;
      }
      if (/\{[^}]*(,|\.\.)[^}]*\}/.test(arg.text)) {
        return `${program} with a brace expansion in an argument (it could expand to an option)`;
      }
    }
    const reason = check(args);
    return reason && `${program} ${reason}`;
  };
}

/**
 * Like {@link checked}, for rules whose reasons are sentences; they read
 * after the program's name and a colon: `rm: The path / is outside …`.
 */
function checkedPaths(program: string, check: ArgumentCheck): ArgumentCheck {
  const shared = checked(program, () => undefined);
  return (args) => {
    const refused = shared(args);
    if (refused) return refused;
    const reason = check(args);
    return reason && `${program}: ${reason}`;
  };
}

/** Options before `--`. */
function optionsOf(args: Word[]): string[] {
  const end = args.findIndex((a) => a.text === "--");
  return (end < 0 ? args : args.slice(0, end)).map((a) => a.text);
}

function refuseExact(args: Word[], names: string[]): string | undefined {
  return optionsOf(args).find((a) => names.includes(a));
}

function refuseLong(args: Word[], names: string[]): string | undefined {
  return optionsOf(args).find((a) => names.some((n) => a === n || a.startsWith(n + "=")));
}

/**
 * Finds `letter` in a cluster of short options (`-ni`, `-i.bak`), stopping at
 * the first option in `takesValue` (the rest of the cluster is its value).
 */
function refuseShort(args: Word[], letter: string, takesValue: string): string | undefined {
  for (const arg of optionsOf(args)) {
    if (!/^-[^-]/.test(arg)) continue;
    for (const c of arg.slice(1)) {
      if (c === letter) return arg;
      if (takesValue.includes(c)) break;
    }
  }
  return undefined;
}

/** Arguments that are not options, skipping the value after each option in `withValue`. */
function operandsOf(args: Word[], withValue: Set<string>): string[] {
  const operands: string[] = [];
  let afterDashes = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!.text;
    if (!afterDashes && arg === "--") afterDashes = true;
    else if (!afterDashes && withValue.has(arg)) i += 1;
    else if (afterDashes || !arg.startsWith("-") || arg === "-") operands.push(arg);
  }
  return operands;
}
