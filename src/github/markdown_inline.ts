/**
 * The inline half of `defuseMarkdown` (`markdown_defuse.ts`): one line (or table cell) of untrusted Markdown outside
 * fenced code, split into code spans and text the way CommonMark and cmark-gfm read it, with the
 * text made unable to open raw HTML, links or code that run past it, to close issues or to mention
 * anyone.
 *
 * @module
 */
import { splitCodeSpans } from "./code_spans.ts";
import { defuseText } from "./github_references.ts";

/**
 * The start of a GFM autolink literal. One that runs to the end of a text would take the backticks
 * of a code span right after it into its URL (cmark-gfm matches it while reading the line, before
 * code spans), see {@link endsInUrl}.
 */
const URL_START = /(?:https?|ftp):\/\/|www\.|mailto:|xmpp:/i;
/**
 * A link destination without a title and its `)`, read right after `](`. The blanks before `)` are read
 * only after a destination, so the two runs of blanks never trade characters (which was quadratic).
 */
const LINK_END = /[ \t]*(?:(?:\\.|[^\s()\\]|\([^\s()]*\))+[ \t]*)?\)/y;

/**
 * Escapes the `(` of every `](` whose link does not end within `text` with a plain destination: a
 * link's destination and title are read raw, so one that ran on would take the backticks of the code
 * spans after it (`[a](\`x) <b> \``). So is one whose destination holds a reference put in code
 * (`[x](\`https://github.com/o/r/issues/3\`)`): it reads as text, not as a link to nowhere.
 */
function closeLinks(text: string): string {
  return text.replace(/\]\(/g, (opener: string, at: number) => {
    LINK_END.lastIndex = at + 2;
    const closed = LINK_END.test(text) && !text.slice(at + 2, LINK_END.lastIndex).includes("`");
    return closed ? opener : "]\\(";
  });
}

/** True when `text`'s last word (after its last blank or `<`) holds the start of an autolink literal. */
function endsInUrl(text: string): boolean {
  let start = text.length;
  while (start > 0 && !/[\s<]/.test(text[start - 1]!)) start--;
  return URL_START.test(text.slice(start));
}

/**
 * Defuses one line, or one table cell, of Markdown outside fenced code: its code spans (see
 * `code_spans.ts`) stay as written, backtick runs that close nothing are escaped, and the text between
 * them is defused ({@link defuseText}: mentions and issue references in code, no raw HTML, no math), with
 * links that cannot run past it.
 */
export function defuseInline(text: string): string {
  const pieces = splitCodeSpans(text).map((piece) =>
    piece.kind === "stray" ? { kind: "text", text: "\\`".repeat(piece.text.length) } : piece
  );
  const segments: Array<{ code: boolean; text: string }> = [];
  for (const piece of pieces) {
    const last = segments.at(-1);
    if (piece.kind === "code") segments.push({ code: true, text: piece.text });
    else if (last && !last.code) last.text += piece.text;
    else segments.push({ code: false, text: piece.text });
  }
  return segments.map((segment, index) => {
    if (segment.code) return segment.text;
    let clean = closeLinks(defuseText(segment.text));
    if (clean.startsWith("`") && segments[index - 1]?.code) clean = ` ${clean}`;
    if (segments[index + 1]?.code && (/(?:^|[^\\])`$/.test(clean) || endsInUrl(clean))) clean += " ";
    return clean;
  }).join("");
}
