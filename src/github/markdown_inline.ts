/**
 * The inline half of `defuseMarkdown` (`markdown_defuse.ts`): one line (or table cell) of untrusted Markdown outside
 * fenced code, split into code spans and text the way CommonMark and cmark-gfm read it, with the
 * text made unable to open raw HTML, links or code that run past it, to close issues or to mention
 * anyone.
 *
 * @module
 */
/** `<` that can start raw HTML, an HTML block or an autolink (CommonMark §4.6, §6.5, §6.6). */
const TAG_START = /[A-Za-z/!?]/;
/** `@` and `#` written as character references, which render as the character. */
const AT_OR_HASH_REFERENCE = /&(?:#0*(?:64|35);|#[xX]0*(?:40|23);|commat;|num;)/y;
/**
 * What a closing keyword acts on: `#3`, `owner/repo#3`, `GH-3`, an issue URL. Owner and name are
 * bounded (GitHub allows 39 and 100 characters), so a match attempt takes bounded time.
 */
const ISSUE_REFERENCE = String
  .raw`(?:[\w.-]{1,100}\/[\w.-]{1,100})?\\?#\d+|GH-\d+|https?:\/\/[^\s\x60<>]{1,300}?\/issues\/\d+`;
/**
 * A closing keyword and what it closes ("Linking a pull request to an issue", GitHub Docs), also
 * with emphasis or a colon between them (`**Fixes**: #3`). Matched loosely on purpose (`fixes#3`,
 * `prefixes #3`): putting a reference in code too often costs nothing.
 */
const CLOSING = new RegExp(
  String.raw`(close[sd]?|fix(?:e[sd])?|resolve[sd]?)([\s*_:]*)(${ISSUE_REFERENCE})`,
  "gi",
);
/** A closing keyword at the end of a line, whose issue reference may start the next line. */
const CLOSING_AT_END = /(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)[\s*_:]*$/i;
const REFERENCE_AT_START = new RegExp(String.raw`^([\s*_:]*)(${ISSUE_REFERENCE})`, "i");
/**
 * The start of a GFM autolink literal. One that runs to the end of a text would take the backticks
 * of a code span right after it into its URL (cmark-gfm matches it while reading the line, before
 * code spans), see {@link endsInUrl}.
 */
const URL_START = /(?:https?|ftp):\/\/|www\.|mailto:|xmpp:/i;
/** A link destination without a title and its `)`, read right after `](`. */
const LINK_END = /[ \t]*(?:\\.|[^\s()\\]|\([^\s()]*\))*[ \t]*\)/y;
/** An `@mention` of a user or `@org/team`. */
const MENTION = /@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9][\w.-]*)?/g;

interface Segment {
  code: boolean;
  text: string;
}

/**
 * Escapes the `(` of every `](` whose link does not end within `text` with a plain destination: a
 * link's destination and title are read raw, so one that ran on would take the backticks of the code
 * spans after it (`[a](\`x) <b> \``).
 */
function closeLinks(text: string): string {
  return text.replace(/\]\(/g, (opener: string, at: number) => {
    LINK_END.lastIndex = at + 2;
    return LINK_END.test(text) ? opener : "]\\(";
  });
}

/** True when `text`'s last word (after its last blank or `<`) holds the start of an autolink literal. */
function endsInUrl(text: string): boolean {
  let start = text.length;
  while (start > 0 && !/[\s<]/.test(text[start - 1]!)) start--;
  return URL_START.test(text.slice(start));
}

/**
 * Defuses one line, or one table cell, of Markdown outside fenced code. `carry` says the line
 * before ended with a closing keyword, so a reference at this one's start is defused too; the
 * result's `carry` says the same of this line.
 *
 * Splits `text` into code spans and text (CommonMark §6.1: a backtick run opens a span closed by
 * the next run of the same length; a backslash escapes a backtick outside spans), escaping the
 * runs that close nothing, then defuses the text segments.
 */
export function defuseInline(text: string, carry: boolean): { text: string; carry: boolean } {
  const runs = backtickRuns(text);
  const segments: Segment[] = [];
  let plain = "";
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (char === "\\") {
      plain += text.slice(at, at + 2);
      at += 2;
    } else if (char === "`") {
      let end = at;
      while (text[end] === "`") end++;
      const closer = runs.next(end - at, end);
      if (closer === undefined) {
        plain += "\\`".repeat(end - at);
        at = end;
      } else {
        segments.push({ code: false, text: plain }, { code: true, text: text.slice(at, closer) });
        plain = "";
        at = closer;
      }
    } else {
      plain += char;
      at++;
    }
  }
  segments.push({ code: false, text: plain });
  let nextCarry = false;
  const rendered = segments.map((segment, index) => {
    if (segment.code) return segment.text;
    let clean = closeLinks(defuseText(segment.text, carry && index === 0));
    if (clean.startsWith("`") && segments[index - 1]?.code) clean = ` ${clean}`;
    if (segments[index + 1]?.code && (/(?:^|[^\\])`$/.test(clean) || endsInUrl(clean))) clean += " ";
    if (index === segments.length - 1) nextCarry = CLOSING_AT_END.test(clean);
    return clean;
  });
  return { text: rendered.join(""), carry: nextCarry };
}

/**
 * Text outside code: `\@` and `@`/`#` character references made plain (`#` as `\#`, which never
 * starts a heading), `<` escaped, `$` as `&#36;` (no math: `$`x`$`, `$$`), closing references and
 * mentions put in code spans.
 */
function defuseText(text: string, carry: boolean): string {
  let plain = "";
  for (let at = 0; at < text.length;) {
    const char = text[at]!;
    const next = text[at + 1] ?? "";
    if (char === "\\") {
      // An autolink literal (`http://x\<pre>`) takes the backslash as part of its URL.
      plain += next === "@"
        ? next
        : next === "<" && TAG_START.test(text[at + 2] ?? "")
        ? "&lt;"
        : char + next;
      at += 2;
      continue;
    }
    AT_OR_HASH_REFERENCE.lastIndex = at;
    const reference = char === "&" ? AT_OR_HASH_REFERENCE.exec(text) : null;
    if (reference) {
      plain += /64|40|commat/i.test(reference[0]) ? "@" : "\\#";
      at += reference[0].length;
      continue;
    }
    plain += char === "<" && TAG_START.test(next) ? "&lt;" : char === "$" ? "&#36;" : char;
    at++;
  }
  const code = (reference: string) => `\`${reference.replace("\\", "")}\``;
  if (carry) plain = plain.replace(REFERENCE_AT_START, (_, gap: string, ref: string) => gap + code(ref));
  return plain
    .replace(CLOSING, (_, keyword: string, gap: string, ref: string) => keyword + gap + code(ref))
    .replace(
      MENTION,
      (mention: string, at: number, whole: string) => startsMention(whole, at) ? `\`${mention}\`` : mention,
    );
}

/**
 * Whether `@` at `at` can start a mention once rendered: not after a letter or digit (`a@b.c` is an
 * address), unless an address, autolink or mention before it in the same word ends there, so the
 * `@` starts a text node of its own (`me@x.io@bob`, `www.x@bob`, `@a@b`). Emphasis marks (`_@bob_`)
 * vanish when rendered, so they do not protect. Scans back to the word's start or the last `@`.
 */
function startsMention(text: string, at: number): boolean {
  if (at === 0 || !/[A-Za-z0-9]/.test(text[at - 1]!)) return true;
  for (let index = at - 1; index >= 0 && !/\s/.test(text[index]!); index--) {
    if (text[index] === "@" || text.startsWith("www.", index) || text.startsWith("://", index)) return true;
  }
  return false;
}

/** The maximal backtick runs of `text`, queried left to right for the next one of a given length. */
function backtickRuns(text: string): { next(length: number, from: number): number | undefined } {
  const byLength = new Map<number, number[]>();
  for (const run of text.matchAll(/`+/g)) {
    const starts = byLength.get(run[0].length) ?? [];
    starts.push(run.index);
    byLength.set(run[0].length, starts);
  }
  const cursors = new Map<number, number>();
  return {
    /** The end of the first run of exactly `length` backticks starting at or after `from`. */
    next(length, from) {
      const starts = byLength.get(length) ?? [];
      let cursor = cursors.get(length) ?? 0;
      while (cursor < starts.length && starts[cursor]! < from) cursor++;
      cursors.set(length, cursor);
      const start = starts[cursor];
      return start === undefined ? undefined : start + length;
    },
  };
}
