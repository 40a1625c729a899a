/**
 * Makes untrusted Markdown (model-written PR fields, issue criteria) safe to place inside the
 * service's own Markdown: whatever it holds, the body around it keeps its sections, its list
 * items and its one `Closes #N` line. The rules follow CommonMark 0.31 and GitHub Flavored
 * Markdown (tables); see {@link defuseMarkdown}.
 *
 * @module
 */
import { defuseInline } from "./markdown_inline.ts";

/**
 * A fence opener: up to 3 spaces, then 3 or more backticks or tildes (CommonMark §4.5), and the info string.
 * `[^]*` and not `.*`: `.` stops at U+2028, which made the run of backticks backtrack quadratically.
 */
const FENCE = /^ {0,3}(`{3,}|~{3,})([^]*)$/;
/** Blockquote markers and indentation before a line's content. */
const LEAD = /[ \t>]*/y;
/** A list item marker with the spaces after it (CommonMark §5.2). */
const LIST_MARKER = /(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$)/y;
/** Line starts that make a block: ATX heading, setext underline, link reference or footnote definition. */
const BLOCK_START = /#{1,6}(?=[ \t]|$)|(?:=+|-+)[ \t]*$|\[(?:[^\]\\]|\\.)*(?:\]:|$)/y;
/** A GFM table delimiter row, loosely: only pipes, dashes, colons, blanks and container markers. */
const DELIMITER_ROW = /^(?=[^|]*\|)(?=[^-]*-)[ \t>|:\-+*\d.)]*$/;

/**
 * Defuses untrusted Markdown, a field's whole text (newlines `\n`), so that it cannot change the
 * structure of the document it is placed in:
 * - ATX headings (`## Tests`), setext underlines (lines of only `=` or `-`), link reference and
 *   footnote definitions (`[x]: …`) get a backslash before their first character, also after
 *   blockquote and list markers;
 * - a fenced code block (```` ``` ```` or `~~~`) is moved to column 0, and one left open is closed at the
 *   end; inside fences nothing changes;
 * - `<` that could start raw HTML (`<details>`, `<!--`, `<pre>`, `</div>`, `<?`, autolinks) becomes
 *   `&lt;` outside code spans;
 * - backticks that open no code span are escaped, so code spans pair up within each line (and each
 *   table cell), wherever the text is placed;
 * - every issue reference (`#3`, `owner/repo#3`, `GH-3`, an issue or pull request URL) and every
 *   `@mention` outside code goes in a code span (`fixes `#3``), so that no closing keyword before
 *   it acts and nobody is notified, however it is spelled (`&#64;`, `\@`, `_@user_`; see
 *   `github_references.ts`).
 *
 * `suffix` (e.g. `"… (truncated)"`) is appended last, after a fence this closes. Pure, linear in
 * the text's length; never throws.
 */
export function defuseMarkdown(text: string, suffix = ""): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map(expandLeadingTabs);
  const table = lines.some((line) => DELIMITER_ROW.test(line));
  const out: string[] = [];
  let fence: { char: string; length: number } | undefined;
  let closed = false;
  for (const line of lines) {
    closed = false;
    if (fence) {
      out.push(line);
      if (closesFence(line, fence)) [fence, closed] = [undefined, true];
      continue;
    }
    const opener = FENCE.exec(line);
    if (opener && !(opener[1]!.startsWith("`") && opener[2]!.includes("`"))) {
      fence = { char: opener[1]![0]!, length: opener[1]!.length };
      out.push(line.trimStart());
      continue;
    }
    if (line.trim() === "") {
      out.push(line);
      continue;
    }
    const blockSafe = escapeBlockStart(line);
    const pieces = table ? blockSafe.split("|") : [blockSafe];
    out.push(pieces.map(defuseInline).join("|"));
  }
  if (fence) out.push(fence.char.repeat(fence.length));
  if (suffix === "") return out.join("\n");
  return fence || closed ? `${out.join("\n")}\n${suffix}` : `${out.join("\n")}${suffix}`;
}

/** True when `defused` (a {@link defuseMarkdown} result) begins with a fenced code block. */
export function startsWithFence(defused: string): boolean {
  return /^(?:`{3,}|~{3,})/.test(defused);
}

/**
 * Leading tabs as spaces (tab stops of 4, CommonMark §2.2), so the line keeps its meaning when it is
 * indented further to continue a list item.
 */
function expandLeadingTabs(line: string): string {
  const lead = /^[ \t]*/.exec(line)![0];
  if (!lead.includes("\t")) return line;
  let columns = 0;
  for (const char of lead) columns = char === "\t" ? columns + 4 - (columns % 4) : columns + 1;
  return " ".repeat(columns) + line.slice(lead.length);
}

function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const match = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
  return match !== null && match[1]![0] === fence.char && match[1]!.length >= fence.length;
}

/** Puts a backslash before a heading, setext underline or definition, after any container markers. */
function escapeBlockStart(line: string): string {
  let at = 0;
  for (;;) {
    at = stickyEnd(LEAD, line, at) ?? at;
    if (stickyEnd(BLOCK_START, line, at) !== undefined) return `${line.slice(0, at)}\\${line.slice(at)}`;
    const marker = stickyEnd(LIST_MARKER, line, at);
    if (marker === undefined) return line;
    at = marker;
  }
}

/** Where a match of the sticky `pattern` at `at` ends; undefined when there is none. */
function stickyEnd(pattern: RegExp, text: string, at: number): number | undefined {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : undefined;
}
