/**
 * Checks that the text between the tokens of a parsed command line is what
 * bash, too, reads as the space between words: blanks, backslash-newline line
 * continuations, and newlines only where a command may end. tree-sitter-bash
 * skips more than bash does (`\ `, `\r`, other Unicode spaces) and, after a
 * line continuation, can start a new word or a comment where bash goes on
 * with the same word (`a\` newline `#b` is the one word `a#b`). Each such case
 * is refused here instead of being read differently from bash.
 */
import type { Node as SyntaxNode } from "web-tree-sitter";

/** One token of the line: a whole word (quotes and expansions included), an operator, a keyword or a comment. */
export interface Atom {
  node: SyntaxNode;
  /** `operator` for tokens made of `; & | ( ) < >`; keywords and `[` count as words, as in bash. */
  kind: "word" | "operator" | "comment";
}

const COMMENT_REFUSAL = "a comment could not be told apart from code; remove the comment";

/** Why a stretch of the line is refused: it could be read one way here and another by bash. */
export function unreadable(source: string, at: number): string {
  const near = source.slice(Math.max(0, at - 15), at + 15).trim();
  return `part of the command line could not be read as bash reads it (near "${near}"); write it more plainly`;
}

/**
 * The offsets of blanks escaped by a backslash in the gaps between atoms:
 * bash reads each as the start of a word, tree-sitter-bash skipped it.
 */
export function escapedBlanks(source: string, atoms: Atom[]): number[] {
  const found: number[] = [];
  for (let i = 0; i <= atoms.length; i++) {
    const end = atoms[i]?.node.startIndex ?? source.length;
    for (let j = atoms[i - 1]?.node.endIndex ?? 0; j < end - 1; j++) {
      if (source[j] !== "\\") continue;
      if (source[j + 1] === " " || source[j + 1] === "\t") found.push(j + 1);
      j += 1;
    }
  }
  return found;
}

/**
 * Checks every gap between consecutive atoms (and before the first and after
 * the last).
 * @param statementStarts where each top-level statement begins: only before
 *   one may a gap hold a newline that does not follow an operator or comment.
 * @returns why the line is refused, or undefined.
 */
export function checkLayout(source: string, atoms: Atom[], statementStarts: Set<number>): string | undefined {
  for (let i = 0; i <= atoms.length; i++) {
    const left = atoms[i - 1];
    const right = atoms[i];
    const start = left?.node.endIndex ?? 0;
    const gap = source.slice(start, right?.node.startIndex ?? source.length).replaceAll("\\\n", "");
    if (/[^ \t\n]/.test(gap)) return unreadable(source, start);
    if (right?.node.type === "concatenation") {
      const parts = right.node.children;
      for (let p = 1; p < parts.length; p++) {
        if (source.slice(parts[p - 1]!.endIndex, parts[p]!.startIndex).replaceAll("\\\n", "") !== "") {
          return unreadable(source, parts[p]!.startIndex);
        }
      }
    }
    if (!left || !right) continue;
    if (right.kind === "comment") {
      if (gap === "" && left.kind !== "operator") return COMMENT_REFUSAL;
      continue;
    }
    if (gap === "" && left.kind === "word" && right.kind === "word") return unreadable(source, start);
    const newline = gap.includes("\n");
    const startsStatement = statementStarts.has(right.node.startIndex);
    const endsAfterOperator = left.kind === "comment" ||
      (left.kind === "operator" && !/[<>]/.test(left.node.type));
    if (newline && !startsStatement && !endsAfterOperator) return unreadable(source, start);
    if (startsStatement && !newline && left.kind === "word") return unreadable(source, start);
  }
  return undefined;
}
