/**
 * Character references as Markdown renders them (CommonMark §2.5: `&name;`, `&#NNN;`, `&#xHHH;`), read
 * only as far as GitHub's mention and reference patterns care: those match ASCII only, so an entity that
 * names an ASCII character is decoded exactly, and every other one counts as one character that is not
 * ASCII (which ends a name or a number, as it does for GitHub).
 *
 * @module
 */

/**
 * The HTML5 named character references that name an ASCII character (from the WHATWG entity table); the
 * legacy forms without `;` are not references in Markdown.
 */
const ASCII_ENTITIES: Readonly<Record<string, string>> = {
  Tab: "\t",
  NewLine: "\n",
  excl: "!",
  quot: '"',
  QUOT: '"',
  num: "#",
  dollar: "$",
  percnt: "%",
  amp: "&",
  AMP: "&",
  apos: "'",
  lpar: "(",
  rpar: ")",
  ast: "*",
  midast: "*",
  plus: "+",
  comma: ",",
  period: ".",
  sol: "/",
  colon: ":",
  semi: ";",
  lt: "<",
  LT: "<",
  equals: "=",
  gt: ">",
  GT: ">",
  quest: "?",
  commat: "@",
  lsqb: "[",
  lbrack: "[",
  bsol: "\\",
  rsqb: "]",
  rbrack: "]",
  Hat: "^",
  lowbar: "_",
  UnderBar: "_",
  grave: "`",
  DiacriticalGrave: "`",
  lcub: "{",
  lbrace: "{",
  verbar: "|",
  vert: "|",
  VerticalLine: "|",
  rcub: "}",
  rbrace: "}",
};

/** A reference at a given offset: a name of 1–32 alphanumerics, or a decimal (1–7) or hex (1–6) number. */
const REFERENCE = /&(?:([A-Za-z][A-Za-z0-9]{0,31})|#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6}));/y;

/** What stands for a character that is not ASCII: it is no part of a name, a number or a URL. */
export const NOT_ASCII = "\uFFFD";

/**
 * The character reference starting at `at` in `text`: its length in code units and the one character a
 * reader sees (see the module doc; {@link NOT_ASCII} for anything outside ASCII), or undefined when none
 * starts there (an unknown name counts as a reference to a character outside ASCII, which is what it is
 * when HTML5 knows it and harmless when it does not). Bounded work: at most 41 code units are read.
 */
export function referenceAt(text: string, at: number): { length: number; char: string } | undefined {
  REFERENCE.lastIndex = at;
  const match = REFERENCE.exec(text);
  if (!match) return undefined;
  const [whole, name, decimal, hex] = match;
  const code = name !== undefined ? undefined : Number.parseInt(decimal ?? hex!, decimal ? 10 : 16);
  const char = name !== undefined
    ? ASCII_ENTITIES[name] ?? NOT_ASCII
    : code! > 0 && code! < 0x80
    ? String.fromCharCode(code!)
    : NOT_ASCII;
  return { length: whole.length, char };
}
