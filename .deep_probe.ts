import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
const n = 65536;
const cases: Record<string, string> = {
  nestedList: "- ".repeat(n / 2) + "x",
  nestedQuote: "> ".repeat(n / 2) + "x",
  emphasis: "*a ".repeat(n / 3),
  brackets: "[".repeat(n),
  table: "|a|b|\n|-|-|\n" + "|x|y|\n".repeat(n / 6),
  backticks: "`".repeat(n),
  tilde: "~".repeat(n),
  items: "- [ ] item text here\n".repeat(n / 21),
  links: "[a](".repeat(n / 4),
};
for (const [name, text] of Object.entries(cases)) {
  const t = performance.now();
  try {
    const tree = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
    let depth = 0; let node: any = tree; while (node?.children?.length) { depth++; node = node.children[0]; }
    console.log(name, (performance.now() - t).toFixed(1), "ms depth", depth);
  } catch (e) { console.log(name, "THROWS", String(e).slice(0, 100)); }
}
