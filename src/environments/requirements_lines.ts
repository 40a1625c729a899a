/**
 * The text of a pip requirements file as pip reads it, before any line is understood: its PEP 263
 * coding declaration checked, then its physical lines joined into logical ones (pip's `join_lines`
 * and `ignore_comments`, pip user guide "Requirements File Format"), bounded in length, with the
 * characters pip and JavaScript split or trim differently refused.
 */
import { EnvironmentSpecError } from "./environment_spec_error.ts";

/**
 * Longest physical line read, in characters: a line of pinned hashes is a few hundred; the bound keeps
 * every pattern below working on short text.
 */
export const MAX_LINE_CHARS = 16_384;
/** Longest logical line (continued lines joined), in characters. */
export const MAX_LOGICAL_LINE_CHARS = 65_536;
/**
 * Characters pip and this reader split or trim differently: line breaks for Python's `str.splitlines`
 * (`\v`, `\f`, `\x1c`–`\x1e`, `\x85`, `\u2028`, `\u2029`), `\x1f` (a space for Python's `strip`, not for
 * JavaScript's `trim`) and `\ufeff` (the other way round).
 */
// deno-lint-ignore no-control-regex -- these control characters are what the pattern is for
const AMBIGUOUS_CHARACTER = /[\v\f\x1c-\x1f\x85\u2028\u2029\ufeff]/;
/** pip's PEP 263 pattern, looked for on the first two lines when they start with `#`. */
const CODING = /coding[:=]\s*([-\w.]+)/;
/** Python's names of UTF-8 and ASCII (normalised: lower case, `-` as `_`), which read UTF-8 text alike. */
const UTF8_CODINGS = new Set(["utf_8", "utf8", "u8", "utf", "cp65001", "utf_8_sig", "ascii", "us_ascii"]);
/** Refuses a PEP 263 declaration of another encoding than UTF-8: pip would decode the file with it. */
export function checkCoding(path: string, text: string): void {
  text.split("\n").slice(0, 2).forEach((raw, index) => {
    const coding = raw.startsWith("#") ? CODING.exec(raw)?.[1] : undefined;
    if (coding === undefined || UTF8_CODINGS.has(coding.toLowerCase().replaceAll("-", "_"))) return;
    throw new EnvironmentSpecError(
      `${path}:${
        index + 1
      }: the coding declaration ${coding} makes pip decode the file as ${coding}, but setup reads requirement files as UTF-8; remove the declaration and save the file as UTF-8`,
    );
  });
}

/** pip's `join_lines` then `ignore_comments`: continued lines joined, comments and blank lines dropped. */
export function logicalLines(path: string, text: string): Array<{ line: number; content: string }> {
  const out: Array<{ line: number; content: string }> = [];
  let pending: string[] = [];
  let first = 0;
  let pendingChars = 0;
  const emit = (line: number, content: string) => {
    const stripped = withoutComment(content).trim();
    if (stripped !== "") out.push({ line, content: stripped });
  };
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.length > MAX_LINE_CHARS) {
      throw new EnvironmentSpecError(
        `${path}:${line}: the line is ${raw.length} characters, over the ${MAX_LINE_CHARS} setup reads; split it`,
      );
    }
    const ambiguous = AMBIGUOUS_CHARACTER.exec(raw)?.[0];
    if (ambiguous !== undefined) {
      const code = ambiguous.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      throw new EnvironmentSpecError(
        `${path}:${line}: the character U+${code} is not allowed: pip and setup would split or trim the line differently around it; remove it`,
      );
    }
    pendingChars = raw.endsWith("\\") ? pendingChars + raw.length : 0;
    if (pendingChars > MAX_LOGICAL_LINE_CHARS) {
      throw new EnvironmentSpecError(
        `${path}:${line}: the continued line is over ${MAX_LOGICAL_LINE_CHARS} characters; split it`,
      );
    }
    const comment = raw.trimStart().startsWith("#");
    if (!raw.endsWith("\\") || comment) {
      const piece = comment ? ` ${raw}` : raw;
      if (pending.length > 0) {
        emit(first, pending.join("") + piece);
        pending = [];
      } else emit(line, piece);
    } else {
      if (pending.length === 0) first = line;
      pending.push(withoutEdgeBackslashes(raw));
    }
  });
  if (pending.length > 0) emit(first, pending.join(""));
  return out;
}

/**
 * `content` up to its comment: pip's `(^|\s+)#.*$`, found with one scan (the pattern takes quadratic time
 * on a long run of spaces).
 */
function withoutComment(content: string): string {
  for (let at = content.indexOf("#"); at >= 0; at = content.indexOf("#", at + 1)) {
    if (at === 0 || /\s/.test(content[at - 1]!)) return content.slice(0, at);
  }
  return content;
}

/** pip's `line.strip("\\")` on a continued line: backslashes dropped at both ends. */
function withoutEdgeBackslashes(raw: string): string {
  let start = 0;
  let end = raw.length;
  while (end > 0 && raw[end - 1] === "\\") end--;
  while (start < end && raw[start] === "\\") start++;
  return raw.slice(start, end);
}
