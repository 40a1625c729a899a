/**
 * Collects a work item's notes: the raw Markdown outside criteria and user-story sections.
 *
 * @module
 */
import type { MarkedToken, Tokens } from "marked";
import type { Tagged } from "./section_headings.ts";

/** `raw` of a list without the items in `used`. */
function listRawWithout(list: Tokens.List, used: Set<MarkedToken>): string {
  let kept = "";
  let from = 0;
  let cursor = 0;
  for (const item of list.items) {
    const at = list.raw.indexOf(item.raw, cursor);
    if (at < 0) continue;
    cursor = at + item.raw.length;
    if (!used.has(item)) continue;
    kept += list.raw.slice(from, at);
    from = cursor;
  }
  return kept + list.raw.slice(from);
}

export function notesOf(tagged: Tagged[], used: Set<MarkedToken>): string {
  return tagged
    .filter(({ token, kind }) => (kind === "other" || kind === "excluded") && !used.has(token))
    .map(({ token }) => token.type === "list" ? listRawWithout(token, used) : token.raw)
    .join("")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
