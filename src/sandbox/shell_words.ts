/**
 * Bash's quote removal for the three kinds of quoting a word can use, applied
 * to the source text of one token the grammar found (see `command_line.ts`).
 *
 * Each decoder also asserts the grammar's reading: a token it is given must
 * not hold what bash would read as a separator, a quote or an expansion
 * (an unescaped blank, `;`, `` ` ``, `$(`, `$NAME` …). If one does, the grammar
 * and bash disagree about the line, and the decoder returns `undefined`
 * instead of guessing. Rules: the Bash manual, "Quoting" and "Filename
 * Expansion" (GNU Bash 5.2).
 */

/** Marks a `$NAME` expansion inside a word: its value is unknown until bash runs it. */
export const EXPANSION = "\u0001";

/** One word of a simple command. */
export interface Word {
  /** The text with quotes removed; each `$NAME` is replaced by {@link EXPANSION}. */
  text: string;
  /** True for an unquoted word with an unescaped `*` or `?`, which bash expands against file names. */
  glob: boolean;
}

/** Characters that end an unquoted word in bash, or open a quote. */
const SEPARATORS = new Set([" ", "\t", "\n", ";", "&", "|", "(", ")", "<", ">", "'", '"', "`"]);
/** What may follow `$` for bash to expand it (`$NAME`, `${`, `$(`, `$[`, `$1`, `$?` …). */
const EXPANDS = /[A-Za-z0-9_{(\[@*#?$!-]/;
/** The characters a backslash escapes inside double quotes. */
const DQ_ESCAPES = new Set(["$", "`", '"', "\\"]);

/**
 * Removes the backslashes of an unquoted word part (`a\ b` → `a b`; a
 * backslash-newline joins lines and is dropped).
 * @returns undefined when bash would read a separator, quote or expansion in `raw`.
 */
export function decodeUnquoted(raw: string): Word | undefined {
  let text = "";
  let glob = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "\\") {
      const next = raw[i + 1];
      if (next === undefined) return undefined;
      if (next !== "\n") text += next;
      i += 1;
      continue;
    }
    if (SEPARATORS.has(c) || (c === "$" && EXPANDS.test(raw[i + 1] ?? ""))) return undefined;
    if (c === "*" || c === "?") glob = true;
    text += c;
  }
  return { text, glob };
}

/**
 * Removes the backslashes bash removes between double quotes: before `$`,
 * `` ` ``, `"`, `\` and newline; any other backslash stays.
 * @param raw literal text from inside `"…"`, between the expansions the grammar found.
 * @returns undefined when `raw` holds an unescaped `` ` `` or an expansion.
 */
export function decodeDoubleQuoted(raw: string): string | undefined {
  let text = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const next = raw[i + 1];
    if (c === "\\" && next !== undefined && (DQ_ESCAPES.has(next) || next === "\n")) {
      if (next !== "\n") text += next;
      i += 1;
      continue;
    }
    if (c === "`" || c === '"' || (c === "$" && EXPANDS.test(next ?? ""))) return undefined;
    text += c;
  }
  return text;
}

const ANSI_C_ESCAPE =
  /\\(?:([abeEfnrtv\\'"?])|([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{1,4})|U([0-9A-Fa-f]{1,8})|c(.))/gs;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

/**
 * Decodes the inside of an ANSI-C quoted string, `$'…'`: `\n`, `\t`, `\xHH`,
 * octal `\NNN`, `\uHHHH`, `\cX` and the rest of bash's list. Other
 * backslashes stay; the text ends at a decoded NUL, as in bash.
 */
export function decodeAnsiC(raw: string): string {
  const text = raw.replace(
    ANSI_C_ESCAPE,
    (whole, simple?: string, octal?: string, hex?: string, u4?: string, u8?: string, control?: string) => {
      if (simple !== undefined) return SIMPLE_ESCAPES[simple]!;
      if (control !== undefined) return String.fromCharCode(control.charCodeAt(0) & 0x1f);
      const code = octal !== undefined ? parseInt(octal, 8) & 0xff : parseInt((hex ?? u4 ?? u8)!, 16);
      return code > 0x10ffff ? whole : String.fromCodePoint(code);
    },
  );
  const nul = text.indexOf("\0");
  return nul < 0 ? text : text.slice(0, nul);
}
