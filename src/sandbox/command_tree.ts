/**
 * Turns tree-sitter-bash's syntax tree of a command line into the simple
 * commands the command policy checks: words with quotes removed,
 * assignments, redirections and the operators between commands. Any other
 * shell syntax (subshells, groups, loops, conditionals, functions, `[[`) is
 * refused with the keyword that opens it. See `command_line.ts` for the parse.
 */
import type { Node as SyntaxNode } from "web-tree-sitter";
import { unreadable } from "./line_layout.ts";
import { decodeAnsiC, decodeDoubleQuoted, decodeUnquoted, EXPANSION, type Word } from "./shell_words.ts";

/** One redirection, e.g. `2>>` `log.txt`. */
export interface Redirect {
  /** The operator as written, without a leading file descriptor number. */
  op: string;
  target: Word;
}

/** One simple command and the operator that joins it to the next. */
export interface SimpleCommand {
  /** Leading `NAME=value` words (`NAME+=value` and `NAME[i]=value` are given as `NAME=value`). */
  assignments: string[];
  /** The program and its arguments. */
  words: Word[];
  redirects: Redirect[];
  /** `;`, `&&`, `||`, `|`, `|&` or `&`; undefined for the last command. */
  next?: string;
}

/** Nodes read as one word: their inside is decoded by {@link TreeReader}, not split further. */
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
/** Operators that join simple commands inside a list or pipeline. */
const CONNECTORS = new Set(["&&", "||", "|", "|&"]);
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
          const assignment = this.assignment(child);
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
    const text = this.text(node);
    return `the shell syntax "${text.length > 30 ? text.slice(0, 30) + "…" : text}" is not allowed`;
  }

  private readCommand(node: SyntaxNode): string | undefined {
    const command: SimpleCommand = { assignments: [], words: [], redirects: [] };
    this.commands.push(command);
    for (const child of node.children) {
      if (child.type === "variable_assignment") {
        const assignment = this.assignment(child);
        if (typeof assignment === "string") return assignment;
        command.assignments.push(assignment.text);
      } else if (child.type === "file_redirect" || child.type === "herestring_redirect") {
        const reason = this.readRedirect(child, command);
        if (reason) return reason;
      } else if (!this.isDescriptor(child)) {
        const word = this.readWord(child.type === "command_name" ? child.firstChild : child);
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
      const reason = this.readRedirect(child, this.commands[this.commands.length - 1]!);
      if (reason) return reason;
    }
    return undefined;
  }

  /**
   * `2>&1`, `> out.txt`, `<<< text`. tree-sitter-bash gives the words after a
   * redirection's target to the redirection (`echo a > x b`), and takes any
   * word glued to the operator for its file descriptor (`sed -i2>&1`); bash
   * passes both to the command (a descriptor is digits only), and so do we.
   */
  private readRedirect(node: SyntaxNode, command: SimpleCommand): string | undefined {
    const operator = node.children.find((c) => !c.isNamed)?.type ?? "";
    if (!REDIRECT_OPERATORS.has(operator)) return `the shell operator "${operator}" is not allowed`;
    const words: Word[] = [];
    for (const operand of node.namedChildren) {
      const isTarget = operand.type !== "file_descriptor" && words.length === 0;
      if (operand.type === "file_descriptor" && /^\d+$/.test(this.text(operand))) continue;
      if (!isTarget && this.isDescriptor(operand)) continue;
      const word = this.readWord(operand);
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
  private isDescriptor(node: SyntaxNode): boolean {
    return /^\d+$/.test(this.text(node)) && /[<>]/.test(this.source[node.endIndex] ?? "");
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
        const word = child.type === "variable_assignment" ? this.assignment(child) : this.readWord(child);
        if (typeof word === "string") return word;
        words.push(word);
      }
      return undefined;
    };
    const reason = flatten(node);
    this.commands.push({ assignments: [], words, redirects: [] });
    return reason;
  }

  /**
   * `NAME=value`, with `+=` and a subscript (`a[0]=`) reduced to the name,
   * which is what the policy checks; an array value (`a=(1 2)`) is refused.
   */
  private assignment(node: SyntaxNode): Word | string {
    const target = node.firstChild!;
    const name = this.text(target.type === "subscript" ? target.firstChild! : target);
    const value = node.lastChild !== target && node.lastChild?.isNamed ? node.lastChild : undefined;
    if (value?.type === "array") return `assigning an array to ${name} is not allowed`;
    return { text: `${name}=${value ? this.text(value) : ""}`, glob: false };
  }

  /** One word, quotes removed; or why it cannot be read. */
  private readWord(node: SyntaxNode | null): Word | string {
    if (!node) return "the command line cannot be parsed";
    const text = this.text(node);
    switch (node.type) {
      case "raw_string":
        return { text: text.slice(1, -1), glob: false };
      case "ansi_c_string":
        return { text: decodeAnsiC(text.slice(2, -1)), glob: false };
      case "string":
        return this.readDoubleQuoted(node);
      case "simple_expansion":
        // The grammar lets blanks, even a comment's start, sit between `$` and the name (`$ #c`); bash does not.
        return SIMPLE_EXPANSION.test(text)
          ? { text: EXPANSION, glob: false }
          : unreadable(this.source, node.startIndex);
      case "expansion":
        return { text: EXPANSION, glob: false };
      case "brace_expression":
        return { text, glob: false };
      case "concatenation": {
        const word: Word = { text: "", glob: false };
        const parts = node.children;
        for (const [i, part] of parts.entries()) {
          // `$"…"` is bash's locale-translated string: in the C locale, the string itself.
          if (this.text(part) === "$" && parts[i + 1]?.type === "string") continue;
          const read = this.readWord(part);
          if (typeof read === "string") return read;
          word.text += read.text;
          word.glob ||= read.glob;
        }
        return word;
      }
    }
    const plain = node.childCount === 0 || node.type === "word" ? decodeUnquoted(text) : undefined;
    return plain ?? unreadable(this.source, node.startIndex);
  }

  /** `"…"`: the literal text between the expansions the grammar found, decoded; each expansion marked. */
  private readDoubleQuoted(node: SyntaxNode): Word | string {
    let text = "";
    let at = node.startIndex + 1;
    for (const child of node.namedChildren) {
      if (child.type === "string_content") continue;
      const expansion = this.readWord(child);
      if (typeof expansion === "string" || expansion.text !== EXPANSION) {
        return unreadable(this.source, child.startIndex);
      }
      const literal = decodeDoubleQuoted(this.source.slice(at, child.startIndex));
      if (literal === undefined) return unreadable(this.source, at);
      text += literal + EXPANSION;
      at = child.endIndex;
    }
    const literal = decodeDoubleQuoted(this.source.slice(at, node.endIndex - 1));
    if (literal === undefined || !this.text(node).endsWith('"')) return unreadable(this.source, at);
    return { text: text + literal, glob: false };
  }

  private text(node: SyntaxNode): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }
}
