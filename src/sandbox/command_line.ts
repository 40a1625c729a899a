/**
 * Splits a bash command line into simple commands for the command policy.
 *
 * `shell-quote` does the tokenising (quotes, escapes, operators, variables,
 * globs). A short pre-scan first covers what it reads differently from bash:
 * an unquoted newline separates commands (shell-quote reads it as a space), a
 * `#` starts a comment only at the start of a word, a backslash-newline joins
 * lines, and backticks, `$(`, `$((` and here-documents are found wherever bash
 * would expand them. Anything the scan cannot place is reported, never guessed.
 */
import { parse } from "shell-quote";

/** Marks a `$NAME` expansion inside a word: its value is unknown until bash runs it. */
export const EXPANSION = "\u0001";

/** One word of a simple command. */
export interface Word {
  /** The text with quotes removed; each `$NAME` is replaced by {@link EXPANSION}. */
  text: string;
  /** True for an unquoted word bash expands against file names (`*`, `?`). */
  glob: boolean;
}

/** One redirection, e.g. `2>>` `log.txt`. */
export interface Redirect {
  /** The operator as written, without a leading file descriptor number. */
  op: string;
  target: Word;
}

/** One simple command and the operator that joins it to the next. */
export interface SimpleCommand {
  /** Leading `NAME=value` words. */
  assignments: string[];
  /** The program and its arguments. */
  words: Word[];
  redirects: Redirect[];
  /** `;`, `&&`, `||`, `|`, `|&` or `&`; undefined for the last command. */
  next?: string;
}

/** The parse, or why the line cannot be read safely. */
export type ParsedLine = { ok: true; commands: SimpleCommand[] } | { ok: false; reason: string };

/** Operators that join simple commands. */
const CONNECTORS = new Set([";", "&&", "||", "|", "|&", "&"]);
/** Operators that redirect a file descriptor to or from the following word. */
const REDIRECTS = new Set([">", ">>", ">|", "&>", "&>>", "<", "<>", ">&", "<&", "<<<"]);
const NEWLINE = "\u0002";

/** Parses `line`; pure. */
export function parseCommandLine(line: string): ParsedLine {
  const scanned = prescan(line);
  if (!scanned.ok) return scanned;
  let entries: ReturnType<typeof parse>;
  try {
    entries = parse(scanned.text, (name: string) => (name === "" ? "$" : EXPANSION));
  } catch (error) {
    return { ok: false, reason: `the command line cannot be parsed (${(error as Error).message})` };
  }
  const commands: SimpleCommand[] = [];
  let current: SimpleCommand = { assignments: [], words: [], redirects: [] };
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (typeof entry === "string" || "pattern" in entry) {
      const word = toWord(entry);
      const following = entries[i + 1];
      if (/^\d+$/.test(word.text) && isOp(following) && REDIRECTS.has(following.op)) continue;
      if (word.text === NEWLINE) {
        current.next = ";";
        commands.push(current);
        current = { assignments: [], words: [], redirects: [] };
      } else if (current.words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word.text) && !word.glob) {
        current.assignments.push(word.text);
      } else current.words.push(word);
      continue;
    }
    if ("comment" in entry) {
      return { ok: false, reason: "a comment could not be told apart from code; remove the comment" };
    }
    const op = (entry as { op: string }).op;
    if (REDIRECTS.has(op)) {
      const target = entries[i + 1];
      if (
        target === undefined || isOp(target) || (typeof target === "object" && "comment" in target) ||
        target === NEWLINE
      ) {
        return { ok: false, reason: `the redirection "${op}" has no target` };
      }
      current.redirects.push({ op, target: toWord(target as string | { pattern: string }) });
      i += 1;
      continue;
    }
    if (CONNECTORS.has(op)) {
      current.next = op;
      commands.push(current);
      current = { assignments: [], words: [], redirects: [] };
      continue;
    }
    return { ok: false, reason: describeOperator(op) };
  }
  commands.push(current);
  return {
    ok: true,
    commands: commands.filter((c) =>
      c.words.length > 0 || c.assignments.length > 0 || c.redirects.length > 0 || c.next === "&"
    ),
  };
}

function isOp(entry: unknown): entry is { op: string } {
  return typeof entry === "object" && entry !== null && "op" in entry &&
    (entry as { op: string }).op !== "glob";
}

function toWord(entry: string | { pattern: string }): Word {
  if (typeof entry === "string") return { text: entry, glob: false };
  return { text: entry.pattern, glob: true };
}

function describeOperator(op: string): string {
  if (op === "(" || op === ")") return `subshells and grouping with "${op}" are not allowed`;
  if (op === "<(" || op === ">(") return `process substitution "${op}…)" is not allowed`;
  if (op === "<<" || op === "<<-") return `here-documents ("${op}") are not allowed`;
  return `the shell operator "${op}" is not allowed`;
}

/**
 * Rewrites the line so shell-quote reads it as bash would: unquoted newlines
 * become a separator word, backslash-newlines are joined, real comments are
 * dropped; expansions that run code are refused.
 */
function prescan(line: string): { ok: true; text: string } | { ok: false; reason: string } {
  if (line.includes("\0")) return { ok: false, reason: "the command contains a NUL byte" };
  if (line.includes(EXPANSION) || line.includes(NEWLINE)) {
    return { ok: false, reason: "the command contains control characters" };
  }
  let out = "";
  let quote: "" | "'" | '"' | "$'" = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    if (quote === "'") {
      if (c === "'") quote = "";
      out += c;
      continue;
    }
    if (quote === "$'") {
      if (c === "\\") {
        out += c + (next ?? "");
        i += 1;
        continue;
      }
      if (c === "'") quote = "";
      out += c;
      continue;
    }
    if (c === "`") return { ok: false, reason: "command substitution with backticks is not allowed" };
    if (c === "$" && next === "(") return { ok: false, reason: 'command substitution "$(…)" is not allowed' };
    if (quote === '"') {
      if (c === "\\" && next === "\n") {
        i += 1;
        continue;
      }
      if (c === "\\") {
        out += c + (next ?? "");
        i += 1;
        continue;
      }
      if (c === '"') quote = "";
      out += c;
      continue;
    }
    if (c === "\\") {
      if (next === "\n") {
        i += 1;
        continue;
      }
      out += c + (next ?? "");
      i += 1;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c === "$" && next === "'") {
      quote = "$'";
      out += "$'";
      i += 1;
      continue;
    }
    if (c === "<" && next === "<") {
      if (line[i + 2] !== "<") return { ok: false, reason: 'here-documents ("<<") are not allowed' };
      out += "<<<";
      i += 2;
      continue;
    }
    if (c === "#") {
      if (startsWord(out)) {
        while (i + 1 < line.length && line[i + 1] !== "\n") i += 1;
      } else out += "\\#";
      continue;
    }
    if (c === "\n") {
      out += continuesOnNextLine(out) ? " " : ` ${NEWLINE} `;
      continue;
    }
    out += c;
  }
  if (quote !== "") return { ok: false, reason: `the command has an unterminated ${quote} quote` };
  return { ok: true, text: out };
}

/** True when the next character begins a new word (where bash starts a comment at `#`). */
function startsWord(before: string): boolean {
  if (before === "") return true;
  const last = before[before.length - 1]!;
  if (!/[\s;&|()<>]/.test(last)) return false;
  // An escaped space or operator character is part of the word before it.
  let slashes = 0;
  for (let j = before.length - 2; j >= 0 && before[j] === "\\"; j--) slashes += 1;
  return slashes % 2 === 0;
}

/** After `|`, `&&`, `||` or at the start, bash reads on past a newline. */
function continuesOnNextLine(before: string): boolean {
  const trimmed = before.trimEnd();
  return trimmed === "" || /(\|\||&&|\||\|&)$/.test(trimmed) || trimmed.endsWith(NEWLINE);
}
