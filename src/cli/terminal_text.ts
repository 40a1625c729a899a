/**
 * Text for a terminal. Whatever the CLI prints may hold text from the sandbox or the model (file names,
 * reasons, a pull request's title and body), and a terminal obeys control sequences in it: an ESC or a C1
 * control starts a CSI or OSC sequence (move the cursor, erase the line, set the title, write the
 * clipboard), a carriage return goes back over the line, a newline starts a line the service never wrote
 * (a file named `x\n[  9.9s] done All tests passed`). So every control character is shown as an escape
 * instead (`\x1b`, `\r`, `\u202e`), never sent.
 *
 * @module
 */

/**
 * What a terminal acts on: C0 controls (tab and, where allowed, newline aside), DEL, C1 controls (U+0080–
 * U+009F, U+009B being a one-character CSI), the line and paragraph separators, and the bidirectional
 * controls that reorder what is shown (the "Trojan Source" set, CVE-2021-42574).
 */
// deno-lint-ignore no-control-regex -- matching control characters is this pattern's purpose
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r" };

/** One control character as a visible escape: `\n`, `\r`, `\x1b`, `\u202e`. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ??
    (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`);
}

/**
 * `text` with every control character (see {@link CONTROL}) shown as an escape, so printing it can start
 * no control sequence. A newline is kept only with `multiline` (a block of the service's own lines, such as
 * a pull request body); a field inside one line gets `\n`. Pure; linear in the text's length.
 */
export function forTerminal(text: string, multiline = false): string {
  return text.replace(CONTROL, (char) => multiline && char === "\n" ? char : visible(char));
}
