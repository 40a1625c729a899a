/**
 * Markdown to HTML for text the service wrote from untrusted input (the pull request's criteria
 * mapping): `marked` with raw HTML shown as text, links only to `http(s)` URLs, and images shown as
 * their alt text, so nothing in it can run script, load a resource or navigate to a `javascript:` URL.
 */
import { Marked, type Tokens } from "marked";
import { safeHref } from "./ui_format.ts";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** `text` with `& < > " '` escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

const markdown = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      return href ? `<a href="${escapeHtml(href)}" rel="noreferrer">${text}</a>` : text;
    },
    image(token: Tokens.Image) {
      return escapeHtml(token.text);
    },
  },
});

/** `source` rendered as HTML that holds no script, no raw HTML and no link but http(s). */
export function renderSafeMarkdown(source: string): string {
  return markdown.parse(source, { async: false });
}
