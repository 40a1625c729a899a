/**
 * A reader of rendered Markdown that finds what GitHub would act on: mentions and issue references in
 * text nodes (code, code blocks, raw HTML and link texts excluded, as GitHub's filters skip them), and links whose target is an issue, a pull request
 * or a discussion. The text is read as the HTML's text nodes: adjacent text and escapes of one element
 * together, character references decoded.
 */
import { marked, type Token } from "marked";

/** A mention or reference GitHub acts on in a text node; not after a letter or digit (`me@x.io`). */
const LIVE =
  /(?:^|[^A-Za-z0-9])(@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9][\w.-]*)?|#\d+|GH-\d+)|([\w.-]+\/[\w.-]+#\d+)|(\S*\/(?:issues|pulls?|discussions)\/\d+)/gi;
const ISSUE_LINK = /\/(?:issues|pulls?|discussions)\/\d|^#\d/i;

/** Numeric references and the named ones that spell a mention or a reference, decoded. */
function decode(text: string): string {
  const named: Record<string, string> = {
    commat: "@",
    num: "#",
    sol: "/",
    period: ".",
    lowbar: "_",
    amp: "&",
  };
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(\w+));/g,
    (whole, decimal?: string, hex?: string, name?: string) => {
      if (name !== undefined) return named[name] ?? whole;
      const code = decimal !== undefined ? Number(decimal) : Number.parseInt(hex!, 16);
      return code > 0 && code <= 0x10FFFF ? String.fromCodePoint(code) : "\uFFFD";
    },
  );
}

/** The text nodes of `tokens` (one element's children) and of the elements inside them, in order. */
function textNodes(tokens: Token[], links: string[]): string[] {
  const nodes: string[] = [];
  let current = "";
  const end = () => {
    if (current !== "") nodes.push(decode(current));
    current = "";
  };
  for (const token of tokens) {
    const t = token as Token & { tokens?: Token[]; items?: Token[]; href?: string; text?: string };
    if (t.type === "text" && !t.tokens) current += t.text ?? "";
    else if (t.type === "escape") current += t.text ?? "";
    else {
      end();
      if (t.type === "link" && t.href) links.push(decode(t.href));
      // GitHub reads no mention or reference inside code, raw HTML or a link's text.
      if (["codespan", "code", "html", "link"].includes(t.type)) continue;
      if (t.type === "table") {
        const table = t as unknown as {
          header: Array<{ tokens: Token[] }>;
          rows: Array<Array<{ tokens: Token[] }>>;
        };
        for (const cell of [...table.header, ...table.rows.flat()]) {
          nodes.push(...textNodes(cell.tokens, links));
        }
      }
      nodes.push(...textNodes([...(t.tokens ?? []), ...(t.items ?? [])], links));
    }
  }
  end();
  return nodes;
}

/**
 * Every mention and issue reference GitHub would act on in `markdown` rendered as GitHub Flavored
 * Markdown (`@bob`, `#3`, `owner/repo#3`, `GH-3`, an issue URL), and every link to an issue.
 */
export function liveReferences(markdown: string): string[] {
  const links: string[] = [];
  const found: string[] = [];
  for (const node of textNodes(marked.lexer(markdown, { gfm: true }), links)) {
    for (const match of node.matchAll(LIVE)) found.push(match[1] ?? match[2] ?? match[3]!);
  }
  return [...found, ...links.filter((href) => ISSUE_LINK.test(href)).map((href) => `link ${href}`)];
}
