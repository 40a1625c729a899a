/**
 * Plain text of Markdown blocks: folded lines and list items with their nested items.
 *
 * @module
 */
import type { MarkedToken, Tokens } from "marked";

/** Lines joined by single spaces, each trimmed, blank ones dropped. */
export function fold(text: string): string {
  return text.split("\n").map((line) => line.trim()).filter((line) => line !== "").join(" ");
}

/** One list item's text: its own blocks, then its nested items folded in as `parent: child; child`. */
export function itemText(item: Tokens.ListItem): string {
  const own: string[] = [];
  const nested: string[] = [];
  for (const token of item.tokens as MarkedToken[]) {
    if (token.type === "list") nested.push(...token.items.map(itemText).filter((text) => text !== ""));
    else if (token.type === "text" || token.type === "paragraph") own.push(fold(token.text));
    else if (token.type !== "checkbox" && token.type !== "space") own.push(fold(token.raw));
  }
  const head = own.filter((text) => text !== "").join(" ");
  if (nested.length === 0) return head;
  if (head === "") return nested.join("; ");
  return `${head}${head.endsWith(":") ? "" : ":"} ${nested.join("; ")}`;
}
