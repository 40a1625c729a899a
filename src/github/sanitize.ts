/**
 * Cleans untrusted text (issue bodies, repo guidance files) before it reaches
 * the prompt or a pull request: what a person reading the rendered issue cannot
 * see must not reach the model either.
 */

/** Zero-width, invisible, bidi-control, tag and variation-selector characters, and C0/C1 controls but tab/newline. */
const INVISIBLE = new RegExp(
  "[" +
    "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F" + // control characters
    "\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F" + // soft hyphen, joiners, fillers, Mongolian selectors
    "\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F" + // zero-width, marks, bidi embeddings/overrides/isolates, invisible operators
    "\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\uFFF0-\\uFFFB" + // Hangul filler, variation selectors, BOM, specials
    "\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}" + // tag characters (ASCII smuggling), variation selectors supplement
    "]",
  "gu",
);

/** Elements GitHub does not render (or renders hidden): removed with their content. */
const HIDDEN_ELEMENTS = [
  /<(script|style|template|noscript|iframe|object)\b[^>]*>[\s\S]*?<\/\1\s*>/gi,
  /<(\w+)\b[^>]*\s(?:hidden|aria-hidden\s*=\s*["']?true["']?)(?:\s[^>]*)?>[\s\S]*?<\/\1\s*>/gi,
  /<(\w+)\b[^>]*style\s*=\s*["'][^"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0)[^"']*["'][^>]*>[\s\S]*?<\/\1\s*>/gi,
];

/** Markup tags dropped while their text stays (so folded `<details>` content is plain, visible text). */
const MARKUP_TAGS =
  /<\/?(?:details|summary|div|span|p|hr|sub|sup|ins|del|kbd|b|i|em|strong|small|picture|source|img|a|font|center|section|article)\b[^>]*\/?>/gi;

/** Markdown "comments": link reference definitions pointing at `#` or `<>`, which never render. */
const MARKDOWN_COMMENT =
  /^[ \t]{0,3}\[[^\]\n]*\]:[ \t]*(?:#|<>)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$/gm;

/**
 * Returns `text` without HTML comments (an unterminated one runs to the end), markdown comment
 * lines, hidden elements, presentational tags, and invisible / bidi-control characters; newlines
 * normalised to `\n`, trailing spaces trimmed, runs of blank lines collapsed to one, NFC form.
 * Never throws.
 */
export function sanitizeUntrusted(text: string): string {
  let clean = text.replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n").normalize("NFC");
  clean = clean.replace(INVISIBLE, "");
  clean = clean.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  for (const hidden of HIDDEN_ELEMENTS) clean = clean.replace(hidden, "");
  clean = clean.replace(/<br\s*\/?>/gi, "\n").replace(MARKUP_TAGS, "");
  clean = clean.replace(MARKDOWN_COMMENT, "");
  clean = clean.replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n");
  return clean.trim();
}
