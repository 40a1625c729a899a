/**
 * The one cleaning of text the service did not write (issue titles and bodies, repository guidance files,
 * model-written PR fields) before it reaches the model's prompt or a pull request: what a person reading
 * the rendered issue cannot see must not reach the model either, nor a reviewer's PR.
 *
 * `github/sanitize.ts` re-exports {@link sanitizeUntrusted} for the PR path; the prompt uses
 * {@link sanitizeForBlock}, which adds the escaping of the prompt's own block tags.
 *
 * @module
 */

/**
 * Invisible characters: C0/C1 controls but tab and newline; soft hyphen, grapheme joiner, Arabic letter
 * mark, Hangul and Khmer fillers, Mongolian selectors; zero-width space/joiners, LRM/RLM, bidi embeddings,
 * overrides and isolates (the "Trojan Source" set, CVE-2021-42574), invisible operators; variation selectors
 * (U+FE00–FE0F, U+E0100–E01EF); BOM; musical formatting controls; Unicode tag characters (U+E0000–E007F,
 * used for "ASCII smuggling" of instructions a reader cannot see).
 */
const INVISIBLE_CLASS = "[" +
  "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F" +
  "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F" +
  "\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F" +
  "\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\uFFF0-\\uFFFB" +
  "\\u{1D173}-\\u{1D17A}\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}" +
  "]";
const INVISIBLE = new RegExp(INVISIBLE_CLASS, "gu");
const IS_INVISIBLE = new RegExp(`^${INVISIBLE_CLASS}$`, "u");

/** A numeric character reference (`&#8203;`, `&#xE0041;`): GitHub renders it as the character it names. */
const NUMERIC_REFERENCE = /&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g;

/** An HTML start or end tag: `<name attributes>` or `</name>`. It never backtracks past a `<`: linear. */
const TAG = /<(\/?)([a-zA-Z][\w-]*)((?:\s[^<>]*)?)>/g;

/** Elements whose content a reader never sees: removed with their content. */
const HIDDEN_ELEMENTS = new Set(["script", "style", "template", "noscript", "iframe", "object"]);

/** Hidden elements that hide the rest of the page when never closed, as a browser parses them. */
const HIDES_THE_REST = new Set(["script", "style", "template", "noscript", "iframe"]);

/**
 * Attributes that hide an element: `hidden`, `aria-hidden="true"`, `type="hidden"`, and styles that make it
 * invisible (`display:none`, `visibility:hidden`, `font-size:0`, `opacity:0`).
 */
const HIDING_ATTRIBUTE =
  /(?:^|\s)(?:hidden(?=[\s=/]|$)|aria-hidden\s*=\s*["']?true|type\s*=\s*["']?hidden)|display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|font-size\s*:\s*0(?![.\d])|opacity\s*:\s*0(?![.\d]*[1-9])/i;

/** Void elements: they have no content and no end tag. */
const VOID_ELEMENTS = new Set(["br", "hr", "img", "input", "meta", "link", "source", "wbr", "embed", "area"]);

/** Markup tags dropped while their text stays (so folded `<details>` content is plain, visible text). */
const MARKUP_TAGS =
  /<\/?(?:details|summary|div|span|p|hr|sub|sup|ins|del|kbd|b|i|em|strong|small|picture|source|img|a|font|center|section|article)\b[^<>]*>/gi;

/**
 * Markdown "comments": link reference definitions pointing at `#` or `<>`, which never render. Run only after
 * line endings are `\n` (a `\r` would start another line for `^` and make it quadratic); then no part can
 * cross a line and each line start is tried once.
 */
const MARKDOWN_COMMENT =
  /^[ \t]{0,3}\[[^\]\n]*\]:[ \t]*(?:#|<>)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$/gm;

/**
 * The most UTF-16 code units of one text the sanitizer reads; the rest is cut before any regular expression
 * runs. Twice GitHub's 65,536-character limit on an issue or pull request body: every caller cuts its own
 * fields smaller (issue bodies to 65,536, guidance files to 16,000, PR fields to 6,000), this is the backstop
 * that keeps one call's work bounded whatever it is handed.
 */
export const UNTRUSTED_MAX_CHARS = 131_072;

/** `text` cut to at most `max` code units, on a code point (never half a surrogate pair). */
export function cutCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  const high = text.charCodeAt(max - 1) >= 0xD800 && text.charCodeAt(max - 1) <= 0xDBFF;
  return text.slice(0, high ? max - 1 : max);
}

/** Numeric character references that name an invisible character, removed; the others kept as written. */
function dropInvisibleReferences(text: string): string {
  return text.replace(
    NUMERIC_REFERENCE,
    (reference, hex: string | undefined, decimal: string | undefined) => {
      const code = hex === undefined ? Number(decimal) : Number.parseInt(hex, 16);
      if (code > 0x10FFFF) return reference;
      return IS_INVISIBLE.test(String.fromCodePoint(code)) ? "" : reference;
    },
  );
}

/**
 * Removes each hidden element (see {@link HIDDEN_ELEMENTS}, {@link HIDING_ATTRIBUTE}) with its content. Start
 * and end tags are paired per name as nested, in one pass. One never closed is removed to the end of the text
 * when hidden by an attribute or in {@link HIDES_THE_REST}, and left alone otherwise (`Given an <object>`).
 */
function dropHiddenElements(text: string): string {
  const tags = [...text.matchAll(TAG)];
  const opened = new Map<string, number[]>();
  const endOf = new Map<number, number>();
  tags.forEach((tag, index) => {
    const name = (tag[2] ?? "").toLowerCase();
    if (VOID_ELEMENTS.has(name) || tag[3]?.endsWith("/")) return;
    const stack = opened.get(name) ?? [];
    opened.set(name, stack);
    if (!tag[1]) stack.push(index);
    else {
      const start = stack.pop();
      if (start !== undefined) endOf.set(start, tag.index + tag[0].length);
    }
  });
  let kept = "";
  let from = 0;
  tags.forEach((tag, index) => {
    const [whole, closing, rawName = "", attributes = ""] = tag;
    const name = rawName.toLowerCase();
    const byAttribute = HIDING_ATTRIBUTE.test(attributes);
    if (tag.index < from || closing || !(byAttribute || HIDDEN_ELEMENTS.has(name))) return;
    const empty = VOID_ELEMENTS.has(name) || attributes.endsWith("/");
    const end = empty
      ? tag.index + whole.length
      : endOf.get(index) ?? (byAttribute || HIDES_THE_REST.has(name) ? text.length : undefined);
    if (end === undefined) return;
    kept += text.slice(from, tag.index);
    from = end;
  });
  return kept + text.slice(from);
}

/**
 * Returns `text` without what a reader of the rendered Markdown cannot see: invisible characters (see
 * {@link INVISIBLE_CLASS}, also when written as numeric references like `&#8203;`), HTML comments (an
 * unterminated one runs to the end), hidden elements with their content (`hidden`, `aria-hidden="true"`,
 * `style="display:none"` and the like, `<script>`, `<template>`, …), Markdown comment lines
 * (`[//]: # (…)`), and presentational tags (`<details>`, `<span>`, … are dropped, their text kept;
 * `<br>` becomes a newline). Newlines are normalised to `\n`, the text to NFC; trailing spaces and
 * surrounding blank lines are trimmed, runs of blank lines collapsed to one. Angle brackets that are not
 * markup (`List<Task>`, `a < b`) stay. Only the first {@link UNTRUSTED_MAX_CHARS} code units are read.
 * Linear in the text's length; never throws.
 */
export function sanitizeUntrusted(text: string): string {
  let clean = cutCodePoints(text, UNTRUSTED_MAX_CHARS).replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n").normalize(
    "NFC",
  );
  clean = dropInvisibleReferences(clean.replace(INVISIBLE, ""));
  clean = clean.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  clean = dropHiddenElements(clean);
  clean = clean.replace(/<br\s*\/?>/gi, "\n").replace(MARKUP_TAGS, "");
  clean = clean.replace(MARKDOWN_COMMENT, "");
  clean = clean.split("\n").map(withoutTrailingBlanks).join("\n").replace(/\n{3,}/g, "\n\n");
  return clean.trim();
}

/** `line` without trailing spaces and tabs; a loop, as `/[ \t]+$/` is quadratic on a long run of spaces. */
function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === " " || line[end - 1] === "\t")) end--;
  return line.slice(0, end);
}

/**
 * {@link sanitizeUntrusted}, then escapes every start or end tag named in `blockTags` (`</issue>` becomes
 * `&lt;/issue>`), so text placed inside a `<issue>…</issue>` block of a prompt cannot close it or open
 * another. Tag names are matched case-insensitively, with spaces after `<` or `/`; `<issues>` stays. The
 * blanks before `/` and after it are two runs that cannot share a character (`/` lies between), so a `<`
 * followed by a long run of blanks costs one pass over the run, not its square.
 */
export function sanitizeForBlock(text: string, blockTags: readonly string[]): string {
  const cleaned = sanitizeUntrusted(text);
  const names = blockTags.map((tag) => tag.replace(/[^a-z_]/gi, "")).filter((name) => name !== "");
  if (names.length === 0) return cleaned;
  return cleaned.replace(new RegExp(`<(\\s*(?:/\\s*)?(?:${names.join("|")})\\b)`, "gi"), "&lt;$1");
}
