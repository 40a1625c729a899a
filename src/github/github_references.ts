/**
 * What GitHub turns into a notification or a link to an issue, found in text and put in code spans, where
 * GitHub reads nothing ("Autolinked references and URLs", "Linking a pull request to an issue", GitHub
 * Docs):
 * - mentions: `@user`, `@org/team`, also written `\@user`, `&#64;user`, `&commat;user`, or inside emphasis
 *   (`_@user_`, `*@user*`: the marks vanish when rendered, so they do not protect);
 * - issue references: `#3`, `owner/repo#3`, `GH-3` (any case), and any URL or path holding
 *   `/issues/N`, `/pull/N`, `/pulls/N` or `/discussions/N` (github.com, an Enterprise host, or relative).
 *
 * Every reference is neutralised, not only one after a closing keyword (`close`, `closes`, `closed`, `fix`,
 * `fixes`, `fixed`, `resolve`, `resolves`, `resolved`, any case, with or without a colon): GitHub's
 * keyword grammar (emphasis, colons, lists of references) then never matters, and no other issue gets a
 * cross-reference either.
 *
 * The text is read as a reader sees it: backslash escapes and character references are decoded first
 * (`&#35;3` renders `#3`, `@&#98;ob` renders `@bob`), so no spelling slips through.
 *
 * @module
 */
import { referenceAt } from "./character_references.ts";

/** Characters a mention, a reference or a URL is made of (ASCII only, as GitHub's patterns are). */
const TOKEN_CHAR = /[A-Za-z0-9\-._~:/?#@!%+,;=*$]/;
const ALNUM = /[A-Za-z0-9]/;
/** ASCII punctuation, which a backslash escapes (CommonMark §2.4). */
const PUNCTUATION = /[!-/:-@[-`{-~]/;
/** `@user` or `@org/team` (user names: alphanumerics and hyphens; team slugs also `_` and `.`). */
const MENTION = /@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9][\w.-]*)?/y;
const HASH_REFERENCE = /#[0-9]+/y;
const GH_REFERENCE = /GH-[0-9]+/iy;
/** Characters of an owner or a repository name. */
const NAME_CHAR = /[\w.-]/;
/** GitHub's longest owner (39) and repository name (100), rounded up. */
const NAME_MAX = 100;
/** A path GitHub links to an issue, a pull request or a discussion. */
const ISSUE_PATH = /\/(?:issues|pulls?|discussions)\/[0-9]/i;
/** Where a URL starts: its scheme, or `www.` (GFM's extended autolinks). */
const URL_START = /[a-z][a-z0-9+.-]*:\/\/|www\./i;
/** Characters of a URL path (and host) before an issue path, when no scheme or `www.` starts it. */
const PATH_CHAR = /[\w.~%/-]/;
/** Characters trimmed off both ends of a URL put in code (emphasis and sentence punctuation around it). */
const URL_EDGE = "*_~.,:;!?";

/** The text as a reader sees it: one character per unit, each with the source it came from. */
interface Units {
  /** What renders, one UTF-16 code unit per unit (`NOT_ASCII` of `character_references.ts` for a reference to anything else). */
  seen: string;
  /** Where each unit starts in the source; one more entry, the source's length, ends the last. */
  starts: number[];
}

/** Reads `text` as Markdown text outside code: backslash escapes and character references are one unit. */
function markdownUnits(text: string): Units {
  let seen = "";
  const starts: number[] = [];
  for (let at = 0; at < text.length;) {
    starts.push(at);
    const char = text[at]!;
    const next = text[at + 1] ?? "";
    if (char === "\\" && PUNCTUATION.test(next)) {
      seen += next;
      at += 2;
      continue;
    }
    const reference = char === "&" ? referenceAt(text, at) : undefined;
    if (reference) {
      seen += reference.char;
      at += reference.length;
      continue;
    }
    seen += char;
    at++;
  }
  starts.push(text.length);
  return { seen, starts };
}

/** Reads `text` as plain text: one unit per code unit. */
function plainUnits(text: string): Units {
  return { seen: text, starts: Array.from({ length: text.length + 1 }, (_, index) => index) };
}

/**
 * Whether the `@` at `at` of `seen` can start a mention once rendered: not after a letter or digit
 * (`a@b.c` is an address), unless an address, autolink or mention before it in the same token ends there,
 * so the `@` starts a text node of its own (`me@x.io@bob`, `www.x@bob`, `@a@b`). Scans back to the
 * token's start or the last `@`, so each character is scanned once for all the `@` of a token.
 */
function startsMention(seen: string, at: number, tokenStart: number): boolean {
  if (at === tokenStart || !ALNUM.test(seen[at - 1]!)) return true;
  for (let index = at - 1; index >= tokenStart; index--) {
    if (seen[index] === "@" || seen.startsWith("www.", index) || seen.startsWith("://", index)) return true;
  }
  return false;
}

/** The end of the match of the sticky `pattern` at `at`, or undefined. */
function matchEnd(pattern: RegExp, text: string, at: number): number | undefined {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : undefined;
}

/**
 * The ranges of `seen[start, end)` (one run of {@link TOKEN_CHAR}) to put in code, in order: the whole run
 * from the URL's start (its scheme or `www.`, else the path) to the run's end, without {@link URL_EDGE}
 * characters at either end, when it holds an {@link ISSUE_PATH}, and before it, or in a run without one,
 * each mention, `#N` (with the `owner/repo` before it) and `GH-N`.
 */
function rangesOfRun(seen: string, start: number, end: number): Array<[number, number]> {
  const run = seen.slice(start, end);
  const path = ISSUE_PATH.exec(run)?.index;
  if (path !== undefined) {
    const scheme = URL_START.exec(run.slice(0, path))?.index;
    let from = scheme ?? start + path;
    if (scheme === undefined) { while (from > start && PATH_CHAR.test(seen[from - 1]!)) from--; }
    else from += start;
    let to = end;
    while (from < to && URL_EDGE.includes(seen[from]!)) from++;
    while (to > from && URL_EDGE.includes(seen[to - 1]!)) to--;
    const before = rangesOfRun(seen, start, from);
    before.push([from, to]);
    return before;
  }
  const ranges: Array<[number, number]> = [];
  let done = start;
  for (let at = start; at < end; at++) {
    const char = seen[at];
    let range: [number, number] | undefined;
    if (char === "@" && startsMention(seen, at, start)) {
      const to = matchEnd(MENTION, run, at - start);
      if (to !== undefined) range = [at, start + to];
    } else if (char === "#") {
      const to = matchEnd(HASH_REFERENCE, run, at - start);
      if (to !== undefined) range = [repoBefore(seen, at, done), start + to];
    } else if ((char === "G" || char === "g") && (at === start || !ALNUM.test(seen[at - 1]!))) {
      const to = matchEnd(GH_REFERENCE, run, at - start);
      if (to !== undefined) range = [at, start + to];
    }
    if (range) {
      ranges.push(range);
      done = range[1];
      at = range[1] - 1;
    }
  }
  return ranges;
}

/**
 * Where an `owner/repo` right before the `#` at `at` starts (`at` when there is none), not before `floor`.
 * Scans back at most {@link NAME_MAX} characters for each name.
 */
function repoBefore(seen: string, at: number, floor: number): number {
  const nameStart = (end: number) => {
    let index = end;
    while (index > floor && end - index < NAME_MAX && NAME_CHAR.test(seen[index - 1]!)) index--;
    return index;
  };
  const repo = nameStart(at);
  if (repo === at || repo - 1 < floor || seen[repo - 1] !== "/") return at;
  const owner = nameStart(repo - 1);
  if (owner === repo - 1 || (owner > floor && seen[owner - 1] === "/")) return at;
  return owner;
}

/** Every range of `seen` to put in code, in order (see {@link rangesOfRun}). */
function rangesOf(seen: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let at = 0; at < seen.length;) {
    if (!TOKEN_CHAR.test(seen[at]!)) {
      at++;
      continue;
    }
    let end = at;
    while (end < seen.length && TOKEN_CHAR.test(seen[end]!)) end++;
    for (const range of rangesOfRun(seen, at, end)) ranges.push(range);
    at = end;
  }
  return ranges;
}

/**
 * `text` with each mention and issue reference in a code span of single backticks (their characters never
 * include a backtick, a backslash or a blank, so the span is exactly them), and every other unit given to
 * `write` (its source, the next source character) for the caller's own escaping.
 */
function neutralise(text: string, units: Units, write: (source: string, after: string) => string): string {
  const { seen, starts } = units;
  let out = "";
  let unit = 0;
  const writeUpTo = (end: number) => {
    for (; unit < end; unit++) {
      out += write(text.slice(starts[unit], starts[unit + 1]), text[starts[unit + 1]!] ?? "");
    }
  };
  for (const [from, to] of rangesOf(seen)) {
    writeUpTo(from);
    // A lone backslash right before the span would escape its opening backtick: write it escaped. (The
    // unit is looked at, not `out`: `endsWith` on the growing string would copy it each time.)
    if (from > 0 && text.slice(starts[from - 1], starts[from]) === "\\") out += "\\";
    out += `\`${seen.slice(from, to)}\``;
    unit = to;
  }
  writeUpTo(seen.length);
  return out;
}

/** `<` that can start raw HTML, an HTML block or an autolink (CommonMark §4.6, §6.5, §6.6). */
const TAG_START = /[A-Za-z/!?]/;

/** One unit of Markdown text as written out: raw HTML and math made literal. */
function escapeUnit(source: string, after: string): string {
  if (source === "<" && TAG_START.test(after)) return "&lt;";
  // An autolink literal (`http://x\<pre>`) takes the backslash as part of its URL.
  if (source === "\\<" && TAG_START.test(after)) return "&lt;";
  if (source === "$") return "&#36;";
  return source;
}

/**
 * Markdown text outside code (one line, or one table cell, with no unescaped backtick) made inert: every
 * mention and issue reference in code (see the module doc), `<` that could open raw HTML or an autolink
 * as `&lt;`, `$` as `&#36;` (no math: `$`x`$`, `$$`). Linear in the text's length.
 */
export function defuseText(text: string): string {
  return neutralise(text, markdownUnits(text), escapeUnit);
}

/**
 * Plain text (a pull request title, a commit subject) with every mention and issue reference in a code
 * span, and nothing else changed. Outside Markdown, the backtick right before `#3` still breaks GitHub's
 * `keyword #3` grammar (a squash merge makes the title a commit subject, where closing keywords act).
 * Linear in the text's length.
 */
export function neutralisePlain(text: string): string {
  return neutralise(text, plainUnits(text), (source) => source);
}
