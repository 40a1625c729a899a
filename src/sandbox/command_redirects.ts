/**
 * Reads the redirections of a simple command (`2>&1`, `> out.txt`,
 * `<<< text`) from tree-sitter-bash's syntax tree.
 */
import type { Node as SyntaxNode } from "web-tree-sitter";
import { nodeText, readWord } from "./command_words.ts";
import type { Word } from "./shell_words.ts";
import type { SimpleCommand } from "./simple_command.ts";

const REDIRECT_OPERATORS = new Set([
  ">",
  ">>",
  ">|",
  "&>",
  "&>>",
  "<",
  "<>",
  ">&",
  "<&",
  "<<<",
  ">&-",
  "<&-",
]);

/**
 * `2>&1`, `> out.txt`, `<<< text`. tree-sitter-bash gives the words after a
 * redirection's target to the redirection (`echo a > x b`), and takes any
 * word glued to the operator for its file descriptor (`sed -i2>&1`); bash
 * passes both to the command (a descriptor is digits only), and so do we.
 */
export function readRedirect(source: string, node: SyntaxNode, command: SimpleCommand): string | undefined {
  const operator = node.children.find((c) => !c.isNamed)?.type ?? "";
  if (!REDIRECT_OPERATORS.has(operator)) return `the shell operator "${operator}" is not allowed`;
  const words: Word[] = [];
  for (const operand of node.namedChildren) {
    const isTarget = operand.type !== "file_descriptor" && words.length === 0;
    if (operand.type === "file_descriptor" && /^\d+$/.test(nodeText(source, operand))) continue;
    if (!isTarget && isDescriptor(source, operand)) continue;
    const word = readWord(source, operand);
    if (typeof word === "string") return word;
    if (operand.type === "file_descriptor") command.words.push(word);
    else words.push(word);
  }
  if (operator.endsWith("-")) {
    command.redirects.push({ op: operator.slice(0, -1), target: { text: "-", glob: false } });
  } else {
    const target = words.shift();
    if (!target) return `the redirection "${operator}" has no target`;
    command.redirects.push({ op: operator, target });
  }
  command.words.push(...words);
  return undefined;
}

/**
 * Digits glued to a following `<` or `>` are the file descriptor of that
 * redirection (`2>x`), which tree-sitter-bash, after a line continuation or
 * a redirection, reads as one more word (`cp a b &>x \` newline `2>y`).
 */
export function isDescriptor(source: string, node: SyntaxNode): boolean {
  return /^\d+$/.test(nodeText(source, node)) && /[<>]/.test(source[node.endIndex] ?? "");
}
