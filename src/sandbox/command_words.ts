/**
 * Reads one word of tree-sitter-bash's syntax tree as bash would pass it to
 * a command: quotes removed, escapes decoded and each expansion marked with
 * {@link EXPANSION}; or says why it cannot be read.
 */
import type { Node as SyntaxNode } from "web-tree-sitter";
import { unreadable } from "./line_layout.ts";
import { decodeAnsiC, decodeDoubleQuoted, decodeUnquoted, EXPANSION, type Word } from "./shell_words.ts";

/** Nodes read as one word: their inside is decoded by {@link readWord}, not split further. */
export const WORD_NODES = new Set([
  "word",
  "number",
  "string",
  "raw_string",
  "ansi_c_string",
  "simple_expansion",
  "expansion",
  "concatenation",
  "brace_expression",
  "test_operator",
  "variable_name",
  "variable_assignment",
  "file_descriptor",
  "$",
]);
/** `$NAME`, `$1`, `$10`, `$?` … as bash reads them. */
const SIMPLE_EXPANSION = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[-*@#?$!])$/;

/**
 * `NAME=value`, with `+=` and a subscript (`a[0]=`) reduced to the name,
 * which is what the policy checks; an array value (`a=(1 2)`) is refused.
 */
export function readAssignment(source: string, node: SyntaxNode): Word | string {
  const target = node.firstChild!;
  const name = nodeText(source, target.type === "subscript" ? target.firstChild! : target);
  const value = node.lastChild !== target && node.lastChild?.isNamed ? node.lastChild : undefined;
  if (value?.type === "array") return `assigning an array to ${name} is not allowed`;
  return { text: `${name}=${value ? nodeText(source, value) : ""}`, glob: false };
}

/** One word, quotes removed; or why it cannot be read. */
export function readWord(source: string, node: SyntaxNode | null): Word | string {
  if (!node) return "the command line cannot be parsed";
  const text = nodeText(source, node);
  switch (node.type) {
    case "raw_string":
      return { text: text.slice(1, -1), glob: false };
    case "ansi_c_string":
      return { text: decodeAnsiC(text.slice(2, -1)), glob: false };
    case "string":
      return readDoubleQuoted(source, node);
    case "simple_expansion":
      // The grammar lets blanks, even a comment's start, sit between `$` and the name (`$ #c`); bash does not.
      return SIMPLE_EXPANSION.test(text)
        ? { text: EXPANSION, glob: false }
        : unreadable(source, node.startIndex);
    case "expansion":
      return { text: EXPANSION, glob: false };
    case "brace_expression":
      return { text, glob: false };
    case "concatenation": {
      const word: Word = { text: "", glob: false };
      const parts = node.children;
      for (const [i, part] of parts.entries()) {
        // `$"…"` is bash's locale-translated string: in the C locale, the string itself.
        if (nodeText(source, part) === "$" && parts[i + 1]?.type === "string") continue;
        const read = readWord(source, part);
        if (typeof read === "string") return read;
        word.text += read.text;
        word.glob ||= read.glob;
      }
      return word;
    }
  }
  const plain = node.childCount === 0 || node.type === "word" ? decodeUnquoted(text) : undefined;
  return plain ?? unreadable(source, node.startIndex);
}

/** `"…"`: the literal text between the expansions the grammar found, decoded; each expansion marked. */
export function readDoubleQuoted(source: string, node: SyntaxNode): Word | string {
  let text = "";
  let at = node.startIndex + 1;
  for (const child of node.namedChildren) {
    if (child.type === "string_content") continue;
    const expansion = readWord(source, child);
    if (typeof expansion === "string" || expansion.text !== EXPANSION) {
      return unreadable(source, child.startIndex);
    }
    const literal = decodeDoubleQuoted(source.slice(at, child.startIndex));
    if (literal === undefined) return unreadable(source, at);
    text += literal + EXPANSION;
    at = child.endIndex;
  }
  const literal = decodeDoubleQuoted(source.slice(at, node.endIndex - 1));
  if (literal === undefined || !nodeText(source, node).endsWith('"')) return unreadable(source, at);
  return { text: text + literal, glob: false };
}

/** The source text of `node`. */
export function nodeText(source: string, node: SyntaxNode): string {
  return source.slice(node.startIndex, node.endIndex);
}
