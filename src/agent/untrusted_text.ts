/**
 * Cleaning of text the service did not write (issue bodies, repository
 * guidance) before it goes into a prompt inside a delimited block.
 *
 * @module
 */

const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
// Zero-width and joiner characters, bidirectional controls, the soft hyphen,
// the BOM and Unicode tag characters: all invisible to a human reviewer.
const INVISIBLE =
  /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/gu;

/**
 * Removes HTML comments and invisible characters, normalises line ends, and
 * escapes any opening or closing tag named in `blockTags` (`<issue>` becomes
 * `&lt;issue>`), so the text cannot close the block that wraps it.
 */
export function sanitizeUntrusted(text: string, blockTags: readonly string[]): string {
  const cleaned = text.replace(HTML_COMMENT, "").replace(INVISIBLE, "").replace(/\r\n?/g, "\n");
  if (blockTags.length === 0) return cleaned;
  const names = blockTags.map((tag) => tag.replace(/[^a-z_]/gi, "")).join("|");
  return cleaned.replace(new RegExp(`<(\\s*/?\\s*(?:${names})\\b)`, "gi"), "&lt;$1");
}
