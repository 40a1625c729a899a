/**
 * The command policy: what the model's bash tool may run, checked on the host
 * before anything reaches the shell session.
 *
 * `restricted` (the default) allows Python and pytest, read-only inspection
 * tools, read-only git, file work inside /workspace (`mkdir`, `touch`, `cp`,
 * `mv`, `rm`, off `.git/`) and a bounded `sleep`, joined by pipes, `&&`, `||`
 * and `;`, with output redirected only into /workspace; no command
 * substitution, subshells, background jobs, here-documents or risky
 * environment prefixes. `shell` allows any command line.
 *
 * The policy cannot see the shell's working directory, so `cd` may only go to
 * folders under /workspace: a relative path without `..` then stays under
 * /workspace, and is checked as written (see `file_rules.ts`).
 *
 * The policy steers the model (edits go through the editor tool, not
 * `sed -i`) and keeps commands reviewable; it is not the isolation boundary.
 * Python may run anything the container allows, so what confines a command is
 * the container: no network, no capabilities, a read-only root and limits.
 */
import { parseCommandLine } from "./command_line.ts";
import type { SimpleCommand } from "./simple_command.ts";
import { type ArgumentCheck, DEFAULT_PROGRAMS, lookupProgram, MAX_SLEEP_SECONDS } from "./program_rules.ts";
import { WORKSPACE } from "./sandbox.ts";
import { EXPANSION, type Word } from "./shell_words.ts";

/** The policy names accepted in configuration (`SANDBOX_COMMAND_POLICY`). */
export const COMMAND_POLICY_MODES = ["restricted", "shell"] as const;

/** A policy name: `restricted` (allowlist, the default) or `shell` (anything). */
export type CommandPolicyMode = typeof COMMAND_POLICY_MODES[number];

/** The verdict on one command line. */
export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

/** Decides whether the bash tool may run a command line. Pure. */
export interface CommandPolicy {
  readonly mode: CommandPolicyMode;
  check(command: string): PolicyDecision;
}

/** Options for {@link createCommandPolicy}. */
export interface CommandPolicyOptions {
  /**
   * Programs the restricted policy allows, with their argument checks.
   * Default {@link DEFAULT_PROGRAMS}; spread it to extend the list.
   */
  programs?: Readonly<Record<string, ArgumentCheck | undefined>>;
}

const KEYWORDS = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "for",
  "while",
  "until",
  "do",
  "done",
  "case",
  "esac",
  "function",
  "select",
  "time",
  "coproc",
  "!",
  "{",
  "}",
  "[[",
  "]]",
]);

/** Environment prefixes that change which code runs (`LD_PRELOAD=… ls`). */
const DENIED_NAMES = new Set([
  "PATH",
  "IFS",
  "ENV",
  "HOME",
  "SHELL",
  "SHELLOPTS",
  "BASHOPTS",
  "PS4",
  "PROMPT_COMMAND",
  "GLOBIGNORE",
  "CDPATH",
  "PAGER",
  "EDITOR",
  "VISUAL",
  "LESSOPEN",
  "LESSCLOSE",
  "GCONV_PATH",
  "LOCPATH",
  "NLSPATH",
  "PYTHONSTARTUP",
  "PYTHONHOME",
  "PYTHONEXECUTABLE",
  "PYTHONINSPECT",
]);
const DENIED_PREFIXES = ["LD_", "GIT_", "BASH", "DYLD_"];

/** Redirections that read, and those that duplicate a descriptor when the target is a number. */
const INPUT_REDIRECTS = new Set(["<", "<<<", "<&"]);

const GUIDANCE = "Under the restricted policy, bash runs python3/pytest, read-only tools (ls cat head tail " +
  "wc grep rg find sed awk sort uniq diff cut tr echo printf stat file tree …), read-only git " +
  "(status diff log show ls-files rev-parse grep blame branch --list), file work with mkdir, touch, " +
  `cp, mv and rm on paths under ${WORKSPACE} (not .git/, no "..", wildcards only in a path's last part), ` +
  `cd into folders under ${WORKSPACE}, and sleep up to ${MAX_SLEEP_SECONDS} seconds; one at a time or ` +
  `joined with |, &&, || and ;, with output redirected only into ${WORKSPACE}. Create and edit files ` +
  "with str_replace_based_edit_tool; put anything more complex in a Python script and run it with python3.";

/**
 * Builds the policy named `mode`.
 * @throws TypeError for an unknown mode (config validation should have caught it).
 */
export function createCommandPolicy(
  mode: CommandPolicyMode = "restricted",
  options: CommandPolicyOptions = {},
): CommandPolicy {
  if (mode === "shell") return { mode, check: () => ({ allowed: true }) };
  if (mode !== "restricted") throw new TypeError(`Unknown command policy "${mode}"`);
  const programs = options.programs ?? DEFAULT_PROGRAMS;
  return {
    mode,
    check(command: string): PolicyDecision {
      const parsed = parseCommandLine(command);
      if (!parsed.ok) return { allowed: false, reason: parsed.reason };
      for (const simple of parsed.commands) {
        const reason = checkSimple(simple, programs);
        if (reason) return { allowed: false, reason };
      }
      return { allowed: true };
    },
  };
}

/** The text the model gets back for a refused command line. */
export function refusalText(policy: CommandPolicy, reason: string): string {
  return `Command refused by the ${policy.mode} command policy; nothing was run: ${reason}.\n${GUIDANCE}`;
}

function checkSimple(
  simple: SimpleCommand,
  programs: Readonly<Record<string, ArgumentCheck | undefined>>,
): string | undefined {
  if (simple.next === "&") return 'running a command in the background with "&" is not allowed';
  for (const assignment of simple.assignments) {
    const name = assignment.slice(0, assignment.indexOf("="));
    if (simple.words.length === 0) return `setting the shell variable ${name} is not allowed`;
    if (DENIED_NAMES.has(name) || DENIED_PREFIXES.some((p) => name.startsWith(p))) {
      return `setting ${name} for a command is not allowed`;
    }
  }
  for (const redirect of simple.redirects) {
    const reason = checkRedirect(redirect.op, redirect.target);
    if (reason) return reason;
  }
  const [program, ...args] = simple.words;
  if (!program) return undefined;
  const name = program.text;
  if (program.glob || name.includes(EXPANSION)) {
    return "the program name must be written out, not come from a variable or a wildcard";
  }
  if (KEYWORDS.has(name)) {
    return `"${name}" is shell syntax; loops, conditionals and groups are not allowed`;
  }
  if (name.includes("/")) return `"${name}": run allowed programs by name, not by path`;
  const found = lookupProgram(programs, name);
  if (!found.allowed) return `"${name}" is not an allowed program`;
  return found.check?.(args);
}

function checkRedirect(op: string, target: Word): string | undefined {
  if (INPUT_REDIRECTS.has(op)) return undefined;
  if (op === ">&" && /^(\d+|-)$/.test(target.text)) return undefined;
  const shown = target.text.replaceAll(EXPANSION, "$…");
  const refuse = (why: string) => `redirecting output to ${shown} is not allowed: ${why}`;
  if (target.glob || target.text.includes(EXPANSION)) return refuse("the target must be written out");
  const path = target.text;
  if (path === "/dev/null" || path === "/dev/stdout" || path === "/dev/stderr") return undefined;
  if (path.startsWith("~")) return refuse(`only files under ${WORKSPACE} may be written`);
  const parts = path.split("/");
  if (parts.includes("..")) return refuse('the path contains ".."');
  if (parts.includes(".git")) return refuse("files in .git/ are not written by tools");
  if (path.startsWith("/") && path !== WORKSPACE && !path.startsWith(WORKSPACE + "/")) {
    return refuse(`only files under ${WORKSPACE} may be written`);
  }
  return undefined;
}
