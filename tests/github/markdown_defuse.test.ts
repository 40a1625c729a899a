import { marked, type Token, type Tokens } from "marked";
import { describe, expect, test } from "vitest";
import { defuseMarkdown, startsWithFence } from "../../src/github/markdown_defuse.ts";

/** [what, untrusted input, defused output]: each rule of `defuseMarkdown`, as the exact text it writes. */
const cases: Array<[string, string, string]> = [
  [
    "plain text stays as written",
    "Adds `GET /tasks/{id}`; returns 404 when missing.",
    "Adds `GET /tasks/{id}`; returns 404 when missing.",
  ],
  ["an ATX heading is escaped", "## Linked issue", "\\## Linked issue"],
  [
    "every ATX level is escaped, seven hashes are no heading",
    "# a\n###### f\n####### seven",
    "\\# a\n\\###### f\n####### seven",
  ],
  ["a hash without a space is no heading", "#x is fine", "#x is fine"],
  ["an issue reference goes in code", "#3 is fine", "`#3` is fine"],
  ["a setext = underline is escaped", "Tests\n===", "Tests\n\\==="],
  ["a setext - underline is escaped", "Tests\n---", "Tests\n\\---"],
  ["a one-dash underline is escaped", "Tests\n-", "Tests\n\\-"],
  [
    "headings and underlines inside quotes and lists are escaped",
    "> ## q\n- # h\n  1. ---",
    "> \\## q\n- \\# h\n  1. \\---",
  ],
  [
    "a closed fence is kept, its content untouched",
    "```py\n# comment\n<div>\n```\nafter",
    "```py\n# comment\n<div>\n```\nafter",
  ],
  [
    "an unclosed fence is closed at the end",
    "```py\n## Tests\nCloses #99",
    "```py\n## Tests\nCloses #99\n```",
  ],
  ["an unclosed tilde fence is closed with tildes", "~~~\nx", "~~~\nx\n~~~"],
  ["an indented fence opener moves to column 0", "  ```\nx\n  ```", "```\nx\n  ```"],
  ["a shorter run does not close a longer fence", "````\n```\n````", "````\n```\n````"],
  ["a backtick info string makes no fence", "```a`b\n## x", "\\`\\`\\`a\\`b\n\\## x"],
  [
    "details and summary tags are escaped",
    "<details>\n<summary>x</summary>",
    "&lt;details>\n&lt;summary>x&lt;/summary>",
  ],
  ["an HTML comment is escaped", "<!-- hidden", "&lt;!-- hidden"],
  ["a pre block is escaped", "<pre>", "&lt;pre>"],
  ["an end tag is escaped", "</div>", "&lt;/div>"],
  ["a processing instruction is escaped", "<?php", "&lt;?php"],
  ["an angle-bracket autolink is escaped", "<https://x.io>", "&lt;https://x.io>"],
  ["a less-than sign that starts no tag stays", "a < b and 1<2", "a < b and 1<2"],
  ["a backslash-escaped tag is escaped as an entity", "\\<details>", "&lt;details>"],
  ["a tag inside a code span stays", "`List<Task>` and List<Task>", "`List<Task>` and List&lt;Task>"],
  ["a link reference definition is escaped", "[x]: https://evil.example", "\\[x]: https://evil.example"],
  ["a footnote definition is escaped", "[^1]: note", "\\[^1]: note"],
  [
    "a plain link before a code span stays",
    "[docs](https://x.io/a_(b)) and `code`",
    "[docs](https://x.io/a_(b)) and `code`",
  ],
  ["a link with a title cannot run into code", '[a](u "t") `x`', '[a]\\(u "t") `x`'],
  ["backticks that close nothing are escaped", "`a ``b", "\\`a \\`\\`b"],
  ["an escaped backtick opens no span", "\\`<b>`", "\\`&lt;b>\\`"],
  [
    "in a table, code spans pair within a cell",
    "| `a|b` | <i> |\n|---|---|",
    "| \\`a|b\\` | &lt;i> |\n|---|---|",
  ],
  [
    "closing keywords get their reference in code",
    "Fixes #3, closes: acme/x#4, resolves GH-5, fixes https://github.com/a/b/issues/6",
    "Fixes `#3`, closes: `acme/x#4`, resolves `GH-5`, fixes `https://github.com/a/b/issues/6`",
  ],
  ["a keyword at a line's end defuses the next line's reference", "fixes\n#7", "fixes\n`#7`"],
  ["a keyword inside code stays", "`fixes #3`", "`fixes #3`"],
  [
    "mentions go in code, addresses stay",
    "thanks @octocat, @acme/team, me@example.com",
    "thanks `@octocat`, `@acme/team`, me@example.com",
  ],
  [
    "escaped, encoded and emphasised mentions go in code",
    "\\@a &#64;b &commat;c _@d_",
    "`@a` `@b` `@c` _`@d`_",
  ],
  ["a mention right after an address goes in code", "me@x.io@bob", "me@x.io`@bob`"],
  ["an encoded hash starts no heading", "&#35; heading", "&#35; heading"],
  ["dollar signs start no math", "costs $5 and $`x`$", "costs &#36;5 and &#36;`x`&#36;"],
  ["a URL does not swallow the code span after it", "see https://x.io/`a`", "see https://x.io/ `a`"],
  ["leading tabs become spaces", "\t# x", "    \\# x"],
  ["CRLF becomes LF", "a\r\n## b", "a\n\\## b"],
];

/** The body's own shape around a field: a section, a list item with evidence, a section after, the closing line. */
function embedded(defused: string): string {
  const evidence = startsWithFence(defused)
    ? `Evidence:\n   ${indent(defused)}`
    : `Evidence: ${indent(defused)}`;
  return `## A\n\n${defused}\n\n## B\n\n1. ✅ criterion\n   ${evidence}\n2. ⚠️ not mapped: last\n\n## C\n\nCloses #1\n`;
}

const indent = (text: string) => text.replace(/\n(?=[^\n])/g, "\n   ");

/** The list of section B in {@link embedded}. */
function criteriaList(tokens: Token[]): Tokens.List {
  const b = tokens.findIndex((token) => token.type === "heading" && (token as Tokens.Heading).text === "B");
  return tokens.slice(b).find((token) => token.type === "list") as Tokens.List;
}

function walk(tokens: Token[], visit: (token: Token) => void): void {
  for (const token of tokens) {
    visit(token);
    const nested = token as { tokens?: Token[]; items?: Token[] };
    walk([...(nested.tokens ?? []), ...(nested.items ?? [])], visit);
  }
}

describe("defuseMarkdown()", () => {
  test.each(cases)("%s", (_, input, expected) => {
    expect(defuseMarkdown(input)).toBe(expected);
  });

  test.each(cases)("keeps the document around it whole: %s", (_, input) => {
    const tokens = marked.lexer(embedded(defuseMarkdown(input)));
    const top = tokens.filter((token) => token.type !== "space");
    expect(top.filter((token) => token.type === "heading").map((token) => (token as Tokens.Heading).text))
      .toEqual(["A", "B", "C"]);
    const list = criteriaList(tokens);
    expect(list.items).toHaveLength(2);
    expect(list.items[1]!.text).toBe("⚠️ not mapped: last");
    expect(top.at(-1)).toMatchObject({ type: "paragraph", text: "Closes #1" });
    const html: string[] = [];
    walk(tokens, (token) => {
      if (token.type === "html") html.push(token.raw);
    });
    expect(html).toEqual([]);
  });

  test("appends a suffix last, on its own line after a fence it closes", () => {
    expect(defuseMarkdown("abc", "… (truncated)")).toBe("abc… (truncated)");
    expect(defuseMarkdown("```js\nx", "… (truncated)")).toBe("```js\nx\n```\n… (truncated)");
    expect(defuseMarkdown("```\nx\n```", "… (truncated)")).toBe("```\nx\n```\n… (truncated)");
  });

  test("keeps a blank line inside evidence inside its list item", () => {
    const tokens = marked.lexer(embedded(defuseMarkdown("first\n\nsecond ## x\n\n- item")));
    const list = criteriaList(tokens);
    expect(list.items).toHaveLength(2);
    expect(list.items[0]!.text).toContain("second ## x");
    expect(list.items[0]!.text).toContain("- item");
  });
});

describe("startsWithFence()", () => {
  test("is true only for a defused text that opens with a fenced code block", () => {
    expect(startsWithFence(defuseMarkdown("  ~~~\nx"))).toBe(true);
    expect(startsWithFence(defuseMarkdown("```a`b"))).toBe(false);
    expect(startsWithFence(defuseMarkdown("text\n```"))).toBe(false);
  });
});
