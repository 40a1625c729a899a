/**
 * Cuts text to a length in UTF-16 code units (JavaScript's `length`, and how GitHub counts a body's
 * 65,536 characters) on whole grapheme clusters (`Intl.Segmenter`, Unicode UAX #29), so a cut never
 * splits a surrogate pair, an emoji ZWJ sequence or a letter from its combining marks.
 *
 * @module
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The longest prefix of `text` that is at most `max` code units long and ends on a grapheme
 * boundary; `text` itself when it fits. A negative `max` counts as 0. Pure; never throws.
 */
export function cutGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  const cluster = graphemes.segment(text).containing(max);
  return text.slice(0, cluster?.index ?? max);
}

/**
 * The longest suffix of `text` that is at most `max` code units long and starts on a grapheme
 * boundary; `text` itself when it fits. A negative `max` counts as 0. Pure; never throws.
 */
export function tailGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  const from = text.length - max;
  const cluster = graphemes.segment(text).containing(from);
  if (!cluster || cluster.index === from) return text.slice(from);
  return text.slice(cluster.index + cluster.segment.length);
}
