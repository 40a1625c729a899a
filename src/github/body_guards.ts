/**
 * Guards on untrusted work item bodies: a size cut, and a nesting pre-scan before lexing the block tokens.
 *
 * @module
 */
// marked's block lexer (`Lexer#blockTokens`, GFM on: ATX and setext headings, task lists, tables, fenced
// code). Chosen over micromark/mdast-util-from-markdown after timing both on hostile 64 KiB bodies: marked's
// block phase stayed under 0.2 s on every shape tried, while micromark spent 23 s on 16,000 setext
// headings and minutes on deep nesting. Only the block phase runs: a criterion keeps its inline Markdown
// as the issue wrote it, so the inline phase (where marked's past ReDoS advisories lie) is never needed.
import { getDefaults, Lexer, type MarkedToken, Tokenizer } from "marked";

/** GitHub's limit on an issue body, in UTF-16 code units; a longer body is cut there before parsing. */
export const MAX_BODY_CHARS = 65_536;

/**
 * Most containers (`>`, list markers, two columns of indentation) one line may open. Real issues stay under
 * ten; a recursive parser overflows its stack near 1,300, so deeper bodies are refused before lexing.
 */
export const MAX_NESTING = 64;

/** The deepest nesting a line opens: its `>` and list markers, plus two columns of indentation per level. */
function nestingOf(line: string): number {
  const blank = (char: string | undefined) => char === undefined || char === " " || char === "\t";
  let markers = 0;
  let columns = 0;
  let at = 0;
  while (at < line.length) {
    const char = line[at];
    if (char === " " || char === "\t") {
      columns += char === " " ? 1 : 4;
      at++;
    } else if (char === ">" || ((char === "-" || char === "*" || char === "+") && blank(line[at + 1]))) {
      markers++;
      at++;
    } else {
      let end = at;
      while (end < line.length && end - at < 9 && line[end]! >= "0" && line[end]! <= "9") end++;
      if (end === at || (line[end] !== "." && line[end] !== ")") || !blank(line[end + 1])) break;
      markers++;
      at = end + 1;
    }
  }
  return markers === 0 ? 0 : markers + Math.ceil(columns / 2);
}

/**
 * Most lines in a row without a blank one that are lexed as they are; a blank line is put after each such
 * run. marked's list tokenizer tests the item read so far (`includes`) at every lazy continuation line,
 * which flattens the growing string each time: quadratic in an item's lines (32,768 of them took 1.1 s).
 * No issue writes a paragraph or a list item of this many lines; one that does is read in pieces.
 */
export const MAX_RUN_LINES = 200;

/** A line that opens a list item or a quote: it is no continuation of the text before it. */
const OPENS_ITEM = /^[ \t]*(?:[-+*>]|\d{1,9}[.)])(?:[ \t]|$)/;

/**
 * `lines` with an empty line after every {@link MAX_RUN_LINES} continuation lines in a row (not blank,
 * not opening a list item or a quote), so lists keep their items.
 */
function breakLongRuns(lines: string[]): string[] {
  const out: string[] = [];
  let run = 0;
  for (const line of lines) {
    out.push(line);
    run = line.trim() === "" || OPENS_ITEM.test(line) ? 0 : run + 1;
    if (run === MAX_RUN_LINES) {
      out.push("");
      run = 0;
    }
  }
  return out;
}

/** The top-level block tokens of `text`; undefined when it nests over {@link MAX_NESTING} or fails to lex. */
export function blocks(text: string): MarkedToken[] | undefined {
  const lines = text.split("\n");
  if (lines.some((line) => nestingOf(line) > MAX_NESTING)) return undefined;
  text = breakLongRuns(lines).join("\n");
  try {
    // Fresh options: the lexer writes its tokenizer into them, and must not share marked's global defaults.
    const options = {
      ...getDefaults(),
      gfm: true,
      pedantic: false,
      breaks: false,
      tokenizer: linearTokenizer(),
    };
    return new Lexer(options).blockTokens(text, []) as MarkedToken[];
  } catch {
    return undefined;
  }
}

/**
 * The most lines of text a setext heading (`Title\n---`) is read with. marked's setext pattern reads
 * ahead to the end of the paragraph looking for the underline, and inside a list item the lexer takes one
 * line at a time, so it read the rest of the item for every line: quadratic (32,768 lines of one item
 * took 6.7 s). Reading at most this many lines ahead bounds each look; a heading of more lines is text.
 */
export const SETEXT_MAX_LINES = 10;

/** The first `count` lines of `text`, with the newline after the last of them. */
function firstLines(text: string, count: number): string {
  let end = -1;
  for (let line = 0; line < count; line++) {
    end = text.indexOf("\n", end + 1);
    if (end < 0) return text;
  }
  return text.slice(0, end + 1);
}

/**
 * A tokenizer whose setext rule reads at most {@link SETEXT_MAX_LINES} lines ahead, and whose GFM table
 * rule costs no more than the table it reads. marked's table pattern reads the
 * header, the delimiter row and then every following line as rows before the tokenizer checks the header
 * against the delimiter row; when that check fails (`a\n-\n`, a setext heading), the scan was wasted, and
 * it is made again at the next block: quadratic (16,384 such headings took 4 s). So the check runs first on
 * the block's first two lines alone (a table's acceptance depends on them only), and the whole text is read
 * only for a table that will be kept.
 */
function linearTokenizer(): Tokenizer {
  const tokenizer = new Tokenizer();
  const table = tokenizer.table.bind(tokenizer);
  const lheading = tokenizer.lheading.bind(tokenizer);
  tokenizer.lheading = (src: string) => lheading(firstLines(src, SETEXT_MAX_LINES + 1));
  tokenizer.table = (src: string) => {
    const first = src.indexOf("\n");
    const second = first < 0 ? -1 : src.indexOf("\n", first + 1);
    if (first < 0 || !src.slice(0, second < 0 ? src.length : second).includes("|")) return undefined;
    const head = second < 0 ? src : src.slice(0, second + 1);
    return table(head) ? table(src) : undefined;
  };
  return tokenizer;
}

/** `body` cut to {@link MAX_BODY_CHARS}: after its last whole line, or else on a code point. */
export function bounded(body: string): string {
  if (body.length <= MAX_BODY_CHARS) return body;
  const newline = body.lastIndexOf("\n", MAX_BODY_CHARS);
  if (newline > 0) return body.slice(0, newline);
  const cut = body.slice(0, MAX_BODY_CHARS);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
