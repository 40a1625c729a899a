/**
 * Reads a bash command line into simple commands for the command policy.
 *
 * The grammar is tree-sitter-bash (the tree-sitter project's own, as WASM in
 * its npm package) run by web-tree-sitter. Both are loaded once per process,
 * from node_modules, by {@link loadBashGrammar}, when the first job's bash
 * tool needs them rather than at start-up (an idle service does not hold
 * them): ~50 ms (the WASM runtime and the grammar), needing read access to
 * node_modules (`--allow-read=.` gives it). The first
 * parse then takes ~10 ms more; later ones 0.03-0.1 ms for a typical line and
 * ~1 ms for a 6 KiB script (`tests/sandbox/command_line.test.ts` measures it).
 * Both packages are pinned to exact versions: the grammar's WASM is a side
 * module linked into web-tree-sitter's runtime.
 *
 * The tree is read, never trusted blindly. tree-sitter-bash is a highlighting
 * grammar that recovers from errors and, in a few places, reads bash more
 * loosely than bash does (it takes an unquoted `\ ` for a blank, and can split
 * one bash word in two). So a line is refused when the tree has an error, and
 * `line_layout.ts` checks that the text between the tokens is what bash would
 * also take for blanks, line continuations and separators. What cannot be
 * read that way is reported, never guessed. `command_line_bash.test.ts`
 * compares the result with what the sandbox's bash runs.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Node as SyntaxNode, Parser } from "web-tree-sitter";
import { TreeReader } from "./command_tree.ts";
import { WORD_NODES } from "./command_words.ts";
import { type Atom, checkLayout, escapedBlanks, unreadable } from "./line_layout.ts";
import { EXPANSION } from "./shell_words.ts";
import type { SimpleCommand } from "./simple_command.ts";

/** The parse, or why the line cannot be read safely. */
export type ParsedLine = { ok: true; commands: SimpleCommand[] } | { ok: false; reason: string };

const requireFromHere = createRequire(import.meta.url);
let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the WASM runtime and the bash grammar, once per process; every caller gets the same promise.
 * {@link parseCommandLine} needs it to have resolved.
 * @throws Error when node_modules cannot be read.
 */
export function loadBashGrammar(): Promise<void> {
  loading ??= (async () => {
    const { Language, Parser } = await import("web-tree-sitter");
    await Parser.init({
      wasmBinary: readFileSync(requireFromHere.resolve("web-tree-sitter/web-tree-sitter.wasm")),
    });
    const loaded = new Parser();
    loaded.setLanguage(
      await Language.load(readFileSync(requireFromHere.resolve("tree-sitter-bash/tree-sitter-bash.wasm"))),
    );
    parser = loaded;
  })();
  return loading;
}

/**
 * Parses `line`. Pure apart from the shared parser, which is used synchronously.
 * @throws Error when {@link loadBashGrammar} has not resolved yet (a programming error).
 */
export function parseCommandLine(line: string): ParsedLine {
  if (line.includes("\0")) return refused("the command contains a NUL byte");
  if (line.includes(EXPANSION)) return refused("the command contains control characters");
  try {
    const first = readLine(line, line);
    if (!("retry" in first)) return first;
    // tree-sitter-bash skips an unquoted backslash-blank as if it were a blank; in bash it is an escaped blank
    // that starts a word (`echo \ #; ls` runs ls). Read again with the blank made an ordinary escaped letter,
    // at the same offsets, so the word is found; its text is still taken from `line`.
    let shown = line;
    for (const at of first.retry) shown = shown.slice(0, at) + "_" + shown.slice(at + 1);
    const second = readLine(line, shown);
    return "retry" in second ? refused(unreadable(line, second.retry[0]!)) : second;
  } catch (error) {
    // The tree is walked recursively; a chain of many thousand commands nests deeper than the stack.
    if (error instanceof RangeError) return refused("the command line is nested too deeply to be checked");
    throw error;
  }
}

function readLine(source: string, text: string): ParsedLine | { retry: number[] } {
  if (!parser) throw new Error("loadBashGrammar() must resolve before a command line is parsed");
  const tree = parser.parse(text);
  if (!tree) return refused("the command line cannot be parsed");
  try {
    const root = tree.rootNode;
    const forbidden = findForbidden(root, source);
    if (forbidden) return refused(forbidden);
    const atoms: Atom[] = [];
    collectAtoms(root, atoms);
    const blanks = escapedBlanks(source, atoms);
    if (blanks.length > 0) return { retry: blanks };
    const reader = new TreeReader(source);
    const reason = reader.readProgram(root) ?? checkLayout(source, atoms, reader.statementStarts);
    return reason ? refused(reason) : { ok: true, commands: reader.commands };
  } finally {
    tree.delete();
  }
}

function refused(reason: string): ParsedLine {
  return { ok: false, reason };
}

/**
 * The first construct that runs code or reads a here-document, in the order
 * written, else why the line does not parse.
 */
function findForbidden(root: SyntaxNode, source: string): string | undefined {
  let error: SyntaxNode | undefined;
  const visit = (node: SyntaxNode): string | undefined => {
    switch (node.type) {
      case "command_substitution":
      case "$(":
      case "`":
        return node.type === "`" || node.firstChild?.type === "`"
          ? "command substitution with backticks is not allowed"
          : 'command substitution "$(…)" is not allowed';
      case "arithmetic_expansion":
      case "$((":
      case "$[":
        return 'command substitution "$(…)" is not allowed';
      case "process_substitution":
      case "<(":
      case ">(":
        return `process substitution "${node.firstChild?.type ?? node.type}…)" is not allowed`;
      case "heredoc_redirect":
      case "<<":
      case "<<-":
        return 'here-documents ("<<") are not allowed';
    }
    if ((node.isError || node.isMissing) && !error) error = node;
    for (const child of node.children) {
      const reason = visit(child);
      if (reason) return reason;
    }
    return undefined;
  };
  return visit(root) ?? (error && describeError(error, source));
}

function describeError(node: SyntaxNode, source: string): string {
  const text = source.slice(node.startIndex, node.endIndex).trimStart();
  const quote = node.isMissing && node.type === '"' ? '"' : ["$'", "'", '"'].find((q) => text.startsWith(q));
  if (quote) return `the command has an unterminated ${quote} quote`;
  const near = source.slice(Math.max(0, node.startIndex - 20), node.endIndex + 20).trim();
  return `the command line cannot be parsed (bash syntax error near "${near}")`;
}

/** The tokens of the line in order, each word read whole (see `line_layout.ts`). */
function collectAtoms(node: SyntaxNode, atoms: Atom[]): void {
  if (node.startIndex === node.endIndex) return;
  if (node.type === "comment") atoms.push({ node, kind: "comment" });
  else if (WORD_NODES.has(node.type)) atoms.push({ node, kind: "word" });
  else if (node.childCount === 0) {
    atoms.push({ node, kind: /^[;&|()<>]+-?$/.test(node.text) ? "operator" : "word" });
  } else for (const child of node.children) collectAtoms(child, atoms);
}
