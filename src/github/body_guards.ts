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
import { getDefaults, Lexer, type MarkedToken } from "marked";

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

/** The top-level block tokens of `text`; undefined when it nests over {@link MAX_NESTING} or fails to lex. */
export function blocks(text: string): MarkedToken[] | undefined {
  if (text.split("\n").some((line) => nestingOf(line) > MAX_NESTING)) return undefined;
  try {
    // Fresh options: the lexer writes its tokenizer into them, and must not share marked's global defaults.
    const options = { ...getDefaults(), gfm: true, pedantic: false, breaks: false };
    return new Lexer(options).blockTokens(text, []) as MarkedToken[];
  } catch {
    return undefined;
  }
}

/** `body` cut to {@link MAX_BODY_CHARS}: after its last whole line, or else on a code point. */
export function bounded(body: string): string {
  if (body.length <= MAX_BODY_CHARS) return body;
  const newline = body.lastIndexOf("\n", MAX_BODY_CHARS);
  if (newline > 0) return body.slice(0, newline);
  const cut = body.slice(0, MAX_BODY_CHARS);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
