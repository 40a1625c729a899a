/**
 * The path rules of the file-work programs the restricted command policy
 * allows (`mkdir`, `touch`, `cp`, `mv`, `rm`) and of `cd`: their options are
 * read as GNU getopt_long reads them, and every path that would leave
 * /workspace or enter `.git/` is refused, with a sentence saying why. The
 * allowlist that uses these checks is in `program_rules.ts`.
 */
import { CD, CP, MKDIR, MV, RM, TOUCH } from "./file_options.ts";
import { type OptionSpec, parseOptions, valuesOf } from "./getopt_options.ts";
import { WORKSPACE } from "./sandbox.ts";
import type { Word } from "./shell_words.ts";
import { checkPath, firstRefusal } from "./workspace_path_rules.ts";

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
