/**
 * Turns tree-sitter-bash's syntax tree of a command line into the simple
 * commands the command policy checks: words with quotes removed,
 * assignments, redirections and the operators between commands. Any other
 * shell syntax (subshells, groups, loops, conditionals, functions, `[[`) is
 * refused with the keyword that opens it. See `command_line.ts` for the parse.
 */
import type { Node as SyntaxNode } from "web-tree-sitter";
import { isDescriptor, readRedirect } from "./command_redirects.ts";
import { nodeText, readAssignment, readWord, WORD_NODES } from "./command_words.ts";
import type { Word } from "./shell_words.ts";
import type { SimpleCommand } from "./simple_command.ts";

/** Operators that join simple commands inside a list or pipeline. */
const CONNECTORS = new Set(["&&", "||", "|", "|&"]);
/** Statements that are shell syntax rather than a command, refused with the keyword that opens them. */
const COMPOUND = new Set([
  "compound_statement",
  "if_statement",
  "while_statement",
  "for_statement",
  "c_style_for_statement",
  "case_statement",
  "negated_command",
]);

/** Turns a syntax tree into simple commands, refusing any other shell syntax. */
export class TreeReader {
  readonly commands: SimpleCommand[] = [];
  /** Where each top-level statement starts: only there may a newline end a command. */
  readonly statementStarts = new Set<number>();

  constructor(private readonly source: string) {}

  readProgram(root: SyntaxNode): string | undefined {
    for (const child of root.children) {
      if (child.type === "comment") continue;
      if (!child.isNamed) {
        if (child.type !== ";" && child.type !== "&") {
          return `the shell operator "${child.type}" is not allowed`;
        }
        this.join(child.type);
        continue;
      }
      const last = this.commands[this.commands.length - 1];
      if (last && last.next === undefined) last.next = ";";
      this.statementStarts.add(child.startIndex);
      const reason = this.readStatement(child);
      if (reason) return reason;
    }
    return undefined;
  }

  private join(operator: string): void {
    const last = this.commands[this.commands.length - 1];
    if (last) last.next = operator;
  }

  private readStatement(node: SyntaxNode): string | undefined {
    switch (node.type) {
      case "command":
        return this.readCommand(node);
      case "redirected_statement":
        return this.readRedirected(node);
      case "list":
      case "pipeline":
        for (const child of node.children) {
          if (child.type === "comment") continue;
          if (child.isNamed) {
            const reason = this.readStatement(child);
            if (reason) return reason;
          } else if (CONNECTORS.has(child.type)) this.join(child.type);
          else return `the shell operator "${child.type}" is not allowed`;
        }
        return undefined;
      case "variable_assignment":
      case "variable_assignments": {
        const command: SimpleCommand = { assignments: [], words: [], redirects: [] };
        this.commands.push(command);
        for (const child of node.type === "variable_assignment" ? [node] : node.namedChildren) {
          const assignment = readAssignment(this.source, child);
          if (typeof assignment === "string") return assignment;
          command.assignments.push(assignment.text);
        }
        return undefined;
      }
      case "declaration_command":
      case "unset_command":
      case "test_command":
        return this.readBuiltin(node);
      case "subshell":
        return 'subshells and grouping with "(" are not allowed';
      case "function_definition":
        return "defining shell functions is not allowed";
    }
    const opening = node.firstChild?.type ?? node.type;
    if (COMPOUND.has(node.type)) {
      return `"${opening}" is shell syntax; loops, conditionals and groups are not allowed`;
    }
    const text = nodeText(this.source, node);
    return `the shell syntax "${text.length > 30 ? text.slice(0, 30) + "…" : text}" is not allowed`;
  }

  private readCommand(node: SyntaxNode): string | undefined {
    const command: SimpleCommand = { assignments: [], words: [], redirects: [] };
    this.commands.push(command);
    for (const child of node.children) {
      if (child.type === "variable_assignment") {
        const assignment = readAssignment(this.source, child);
        if (typeof assignment === "string") return assignment;
        command.assignments.push(assignment.text);
      } else if (child.type === "file_redirect" || child.type === "herestring_redirect") {
        const reason = readRedirect(this.source, child, command);
        if (reason) return reason;
      } else if (!isDescriptor(this.source, child)) {
        const word = readWord(this.source, child.type === "command_name" ? child.firstChild : child);
        if (typeof word === "string") return word;
        command.words.push(word);
      }
    }
    return undefined;
  }

  /** A statement with redirections after it; they belong to its last simple command. */
  private readRedirected(node: SyntaxNode): string | undefined {
    const before = this.commands.length;
    for (const child of node.children) {
      if (child.type !== "file_redirect" && child.type !== "herestring_redirect") {
        const reason = this.readStatement(child);
        if (reason) return reason;
        continue;
      }
      if (this.commands.length === before) this.commands.push({ assignments: [], words: [], redirects: [] });
      const reason = readRedirect(this.source, child, this.commands[this.commands.length - 1]!);
      if (reason) return reason;
    }
    return undefined;
  }

  /** `export`, `declare`, `local`, `unset`, `[ … ]`: a command whose words are read one by one. */
  private readBuiltin(node: SyntaxNode): string | undefined {
    if (node.firstChild?.type === "[[") {
      return '"[[" is shell syntax; loops, conditionals and groups are not allowed';
    }
    const words: Word[] = [];
    const flatten = (parent: SyntaxNode): string | undefined => {
      for (const child of parent.children) {
        if (!WORD_NODES.has(child.type) && child.childCount > 0) {
          const reason = flatten(child);
          if (reason) return reason;
          continue;
        }
        const word = child.type === "variable_assignment"
          ? readAssignment(this.source, child)
          : readWord(this.source, child);
        if (typeof word === "string") return word;
        words.push(word);
      }
      return undefined;
    };
    const reason = flatten(node);
    this.commands.push({ assignments: [], words, redirects: [] });
    return reason;
  }
}
