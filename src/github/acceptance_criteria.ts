/**
 * Reads a work item's body from the structure of its Markdown: its user story, its acceptance criteria and
 * the rest (notes). Issue text is untrusted, so it is sanitised first.
 *
 * @module
 */
// marked's block lexer (`Lexer#blockTokens`, GFM on: ATX and setext headings, task lists, tables, fenced
// code). Chosen over micromark/mdast-util-from-markdown after timing both on hostile 64 KiB bodies: marked's
// block phase stayed under 0.2 s on every shape tried, while micromark spent 23 s on 16,000 setext
// headings and minutes on deep nesting. Only the block phase runs: a criterion keeps its inline Markdown
// as the issue wrote it, so the inline phase (where marked's past ReDoS advisories lie) is never needed.
import { getDefaults, Lexer, type MarkedToken, type Tokens } from "marked";
import { sanitizeUntrusted } from "./sanitize.ts";

/**
 * Whether the body has an acceptance-criteria section: `"none"` (no such heading; the criteria, if any, are
 * the body's checklist items), `"parsed"` (a section with at least one criterion read from it) or
 * `"unparsed"` (a section, or a body, from which no criterion could be read: say so, never "no criteria").
 */
export type CriteriaSection = "none" | "parsed" | "unparsed";

/** The parts of a work item body. */
export interface WorkItemText {
  userStory?: string;
  /** In the order, inline Markdown as written, trimmed; no empty or repeated criterion. */
  acceptanceCriteria: string[];
  criteriaSection: CriteriaSection;
  /** Everything outside the criteria and user-story sections, sanitised. */
  notes: string;
}

/** GitHub's limit on an issue body, in UTF-16 code units; a longer body is cut there before parsing. */
export const MAX_BODY_CHARS = 65_536;

/**
 * Most containers (`>`, list markers, two columns of indentation) one line may open. Real issues stay under
 * ten; a recursive parser overflows its stack near 1,300, so deeper bodies are refused before lexing.
 */
export const MAX_NESTING = 64;

/** What a section is about, from its heading: criteria, user story, never-criteria (notes, …), or other. */
type Kind = "ac" | "story" | "excluded" | "other";

/** A heading: a Markdown one (depth 1–6) or a line acting as one (`**Acceptance criteria**`, `AC:`; 7). */
interface Heading {
  kind: Kind;
  depth: number;
  /** Text after a `Label:` or bold heading, in the same paragraph. */
  rest: string;
}

/** A top-level token with the kind of the section it is in. */
interface Tagged {
  token: MarkedToken;
  kind: Kind;
  heading?: Heading;
}

const AC_NAME = /^(?:acs?|acceptance criteri(?:a|on)s?|acceptance tests?|definition of done|done when)$/;
/** A heading that mentions criteria among other words ("✅ Acceptance criteria (v1)"); not a plain line. */
const AC_MENTION = /\bacceptance criteri(?:a|on)s?\b|\bdefinition of done\b/;
const STORY_NAME = /^(?:user stor(?:y|ies)|story)$/;
const EXCLUDED_NAME =
  /^(?:notes?|out of scope|not in scope|non goals?|open questions?|questions?|references?|links?|resources?|context|background|additional (?:context|notes|information)|(?:technical|implementation) (?:notes|details)|dependencies|screenshots?|alternatives?)\b/;
const BOLD_LINE = /^(\*\*|__)([^\n]{1,80}?)\1/;
/** `AC1: …`, `AC-2: …`, `AC 3 - …`, `**AC4:** …`: one criterion, the label dropped. */
const AC_LINE = /^(?:[*_]{2})?AC[ -]?\d{1,3}(?:[*_]{2})?[ \t]*[:.)\-–—](?:[*_]{2})?[ \t]*(\S.*)$/i;
const GHERKIN_LANGS = new Set(["", "gherkin", "feature", "cucumber"]);
const SCENARIO = /^(?:Scenario(?: Outline| Template)?|Example)[ \t]*:(.*)$/i;
const GHERKIN_SECTION = /^(?:Feature|Background|Rule|Examples|Scenarios)[ \t]*:/i;
const STEP = /^(?:Given|When|Then|And|But)\b/;
const STORY_START = /\bAs an?\s+\S/i;
const STORY_WANT = /\bI\s+(?:want|need|would like|can)\b/i;

/** The kind of a section titled `title`; `exact` for a plain line, which must be the name and no more. */
function kindOf(title: string, exact = false): Kind {
  const name = title.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  if (AC_NAME.test(name) || (!exact && AC_MENTION.test(name))) return "ac";
  if (STORY_NAME.test(name)) return "story";
  if (EXCLUDED_NAME.test(name)) return "excluded";
  return "other";
}

/** Lines joined by single spaces, each trimmed, blank ones dropped. */
function fold(text: string): string {
  return text.split("\n").map((line) => line.trim()).filter((line) => line !== "").join(" ");
}

/**
 * A paragraph acting as a heading: `**Acceptance criteria**` or `Acceptance criteria:` (optionally followed
 * by text) for criteria and story sections; a bold line alone for any other section.
 */
function paragraphHeading(text: string): Heading | undefined {
  const newline = text.indexOf("\n");
  const first = newline < 0 ? text : text.slice(0, newline);
  const more = newline < 0 ? "" : text.slice(newline + 1);
  const bold = BOLD_LINE.exec(first);
  let title: string;
  let rest: string;
  if (bold) {
    title = bold[2] ?? "";
    rest = first.slice(bold[0].length).replace(/^[ \t]*:?/, "").trim();
  } else {
    const colon = first.indexOf(":");
    title = colon < 0 ? first : first.slice(0, colon);
    rest = colon < 0 ? "" : first.slice(colon + 1).trim();
    if (title.length > 40) return undefined;
  }
  const kind = kindOf(title, !bold);
  if (kind === "ac" || kind === "story") return { kind, depth: 7, rest: [rest, more].join("\n").trim() };
  if (bold && rest === "" && more.trim() === "") return { kind, depth: 7, rest: "" };
  return undefined;
}

function headingOf(token: MarkedToken): Heading | undefined {
  if (token.type === "heading") return { kind: kindOf(token.text), depth: token.depth, rest: "" };
  if (token.type === "paragraph") return paragraphHeading(token.text);
  return undefined;
}

/**
 * Tags each top-level token with its section. A section runs to the next heading of the same or a higher
 * level; a deeper heading stays inside unless it opens a section of another kind ("### Notes" ends the
 * criteria). A bold or `Label:` heading (depth 7) spans its own text and the blocks after it, up to the
 * first paragraph after some content.
 */
function tagSections(tokens: MarkedToken[]): Tagged[] {
  const outside = () => ({ kind: "other" as Kind, depth: 0, hasContent: false });
  let section = outside();
  return tokens.map((token): Tagged => {
    const heading = headingOf(token);
    if (heading) {
      const inside = section.kind !== "other" && heading.depth > section.depth &&
        (heading.kind === "other" || heading.kind === section.kind);
      if (!inside) section = { kind: heading.kind, depth: heading.depth, hasContent: false };
      if (heading.rest !== "") section.hasContent = true;
      return { token, kind: section.kind, heading };
    }
    if (section.depth === 7 && section.hasContent && token.type === "paragraph") section = outside();
    if (token.type !== "space") section.hasContent = true;
    return { token, kind: section.kind };
  });
}

/** One list item's text: its own blocks, then its nested items folded in as `parent: child; child`. */
function itemText(item: Tokens.ListItem): string {
  const own: string[] = [];
  const nested: string[] = [];
  for (const token of item.tokens as MarkedToken[]) {
    if (token.type === "list") nested.push(...token.items.map(itemText).filter((text) => text !== ""));
    else if (token.type === "text" || token.type === "paragraph") own.push(fold(token.text));
    else if (token.type !== "checkbox" && token.type !== "space") own.push(fold(token.raw));
  }
  const head = own.filter((text) => text !== "").join(" ");
  if (nested.length === 0) return head;
  if (head === "") return nested.join("; ");
  return `${head}${head.endsWith(":") ? "" : ":"} ${nested.join("; ")}`;
}

/** One criterion per scenario of a Gherkin block, its title and steps: `Title: Given …; When …; Then …`. */
function scenarios(code: Tokens.Code): string[] {
  const found: string[][] = [];
  let current: string[] | undefined;
  for (const raw of code.text.split("\n")) {
    const line = raw.trim();
    const scenario = SCENARIO.exec(line);
    if (scenario) found.push(current = [(scenario[1] ?? "").trim()]);
    else if (GHERKIN_SECTION.test(line)) current = undefined;
    else if (current && STEP.test(line)) current.push(line);
  }
  return found.map(([title = "", ...steps]) => {
    if (steps.length === 0) return title;
    return title === "" ? steps.join("; ") : `${title}: ${steps.join("; ")}`;
  });
}

/** The `AC1:`-style lines of a paragraph, each with the lines after it; none when it has no such line. */
function acLines(text: string): string[] {
  const found: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const label = AC_LINE.exec(line);
    if (label) found.push((label[1] ?? "").trim());
    else if (found.length > 0 && line !== "") found[found.length - 1] += ` ${line}`;
  }
  return found;
}

/** What a criteria section holds: structured criteria, plain paragraphs, whether anything was unreadable. */
interface SectionContent {
  criteria: string[];
  paragraphs: string[];
  unreadable: boolean;
}

function readParagraph(text: string, into: SectionContent): void {
  const lines = acLines(text);
  if (lines.length > 0) into.criteria.push(...lines);
  else if (fold(text) !== "") into.paragraphs.push(fold(text));
}

function readBlocks(tokens: MarkedToken[], into: SectionContent): void {
  for (const token of tokens) {
    switch (token.type) {
      case "list":
        into.criteria.push(...token.items.map(itemText));
        break;
      case "table":
        into.criteria.push(
          ...token.rows.map((row) => row.map((cell) => cell.text.trim()).filter(Boolean).join(" | ")),
        );
        break;
      case "code": {
        const found = GHERKIN_LANGS.has((token.lang ?? "").trim().split(/\s/)[0]?.toLowerCase() ?? "")
          ? scenarios(token)
          : [];
        if (found.length > 0) into.criteria.push(...found);
        else into.unreadable = true;
        break;
      }
      case "paragraph":
        readParagraph(token.text, into);
        break;
      case "blockquote":
        readBlocks(token.tokens as MarkedToken[], into);
        break;
      case "html":
        into.unreadable = true;
        break;
    }
  }
}

/**
 * The criteria of the criteria sections: one per list item, table row (header excluded), Gherkin scenario or
 * `AC1:` line. Without any of those, one per paragraph, unless the section also holds something unreadable
 * (a code block that is not Gherkin, raw HTML): then none, and the section counts as unparsed.
 */
function sectionCriteria(tagged: Tagged[]): string[] {
  const content: SectionContent = { criteria: [], paragraphs: [], unreadable: false };
  for (const { token, kind, heading } of tagged) {
    if (kind !== "ac") continue;
    if (heading) readParagraph(heading.rest, content);
    else readBlocks([token], content);
  }
  if (content.criteria.length > 0 || content.unreadable) return content.criteria;
  return content.paragraphs;
}

/** Without a criteria section: checklist items (`- [ ]`, `- [x]`) outside story and "Notes"-like sections. */
function checklist(tagged: Tagged[], used: Set<MarkedToken>): string[] {
  const found: string[] = [];
  const visit = (tokens: MarkedToken[]) => {
    for (const token of tokens) {
      if (token.type === "blockquote") visit(token.tokens as MarkedToken[]);
      if (token.type !== "list") continue;
      for (const item of token.items) {
        if (!item.task) visit(item.tokens as MarkedToken[]);
        else {
          found.push(itemText(item));
          used.add(item);
        }
      }
    }
  };
  visit(tagged.filter((entry) => entry.kind === "other").map((entry) => entry.token));
  return found;
}

function storySentence(text: string): string | undefined {
  const start = STORY_START.exec(text);
  if (!start || !STORY_WANT.test(text.slice(start.index + start[0].length))) return undefined;
  return text.slice(start.index).trim();
}

function storyText(token: MarkedToken): string {
  if (token.type === "list") return token.items.map(itemText).join(" ");
  if (token.type === "paragraph" || token.type === "blockquote") return fold(token.text);
  return "";
}

/** The user story: a "User story" section, else the first `As a …, I want …` sentence (paragraph used). */
function userStoryOf(tagged: Tagged[], used: Set<MarkedToken>): string | undefined {
  const section = tagged
    .filter((entry) => entry.kind === "story")
    .map((entry) => entry.heading ? entry.heading.rest : storyText(entry.token))
    .filter((text) => text !== "")
    .join(" ")
    .replace(/[*_]{1,2}/g, "");
  if (section !== "") return fold(section);
  for (const { token, kind } of tagged) {
    if (kind !== "other" || (token.type !== "paragraph" && token.type !== "blockquote")) continue;
    const text = fold(token.text).replace(/[*_]{1,2}/g, "");
    const story = storySentence(text);
    if (story === undefined) continue;
    if (story.length >= text.length - 2) used.add(token);
    return story;
  }
  return undefined;
}

/** `raw` of a list without the items in `used`. */
function listRawWithout(list: Tokens.List, used: Set<MarkedToken>): string {
  let kept = "";
  let from = 0;
  let cursor = 0;
  for (const item of list.items) {
    const at = list.raw.indexOf(item.raw, cursor);
    if (at < 0) continue;
    cursor = at + item.raw.length;
    if (!used.has(item)) continue;
    kept += list.raw.slice(from, at);
    from = cursor;
  }
  return kept + list.raw.slice(from);
}

function notesOf(tagged: Tagged[], used: Set<MarkedToken>): string {
  return tagged
    .filter(({ token, kind }) => (kind === "other" || kind === "excluded") && !used.has(token))
    .map(({ token }) => token.type === "list" ? listRawWithout(token, used) : token.raw)
    .join("")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The deepest nesting a line opens: its `>` and list markers, plus two columns of indentation per level. */
function nestingOf(line: string): number {
  const blank = (char: string | undefined) => char === undefined || char === " " || char === "\t";
  let markers = 0;
  let columns = 0;
  let at = 0;
  while (at < line.length) {
    const char = line[at];
    if (char === " " || char === "\t") {
      columns += char === " " ? 1 : 4;
      at++;
    } else if (char === ">" || ((char === "-" || char === "*" || char === "+") && blank(line[at + 1]))) {
      markers++;
      at++;
    } else {
      let end = at;
      while (end < line.length && end - at < 9 && line[end]! >= "0" && line[end]! <= "9") end++;
      if (end === at || (line[end] !== "." && line[end] !== ")") || !blank(line[end + 1])) break;
      markers++;
      at = end + 1;
    }
  }
  return markers === 0 ? 0 : markers + Math.ceil(columns / 2);
}

/** The top-level block tokens of `text`; undefined when it nests over {@link MAX_NESTING} or fails to lex. */
function blocks(text: string): MarkedToken[] | undefined {
  if (text.split("\n").some((line) => nestingOf(line) > MAX_NESTING)) return undefined;
  try {
    // Fresh options: the lexer writes its tokenizer into them, and must not share marked's global defaults.
    const options = { ...getDefaults(), gfm: true, pedantic: false, breaks: false };
    return new Lexer(options).blockTokens(text, []) as MarkedToken[];
  } catch {
    return undefined;
  }
}

/** `body` cut to {@link MAX_BODY_CHARS}: after its last whole line, or else on a code point. */
function bounded(body: string): string {
  if (body.length <= MAX_BODY_CHARS) return body;
  const newline = body.lastIndexOf("\n", MAX_BODY_CHARS);
  if (newline > 0) return body.slice(0, newline);
  const cut = body.slice(0, MAX_BODY_CHARS);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * Parses a work item body: cut to its lines within {@link MAX_BODY_CHARS}, sanitised with
 * {@link sanitizeUntrusted}, then read as GFM Markdown.
 *
 * The criteria section is the content under a heading that names acceptance criteria ("Acceptance
 * criteria", "ACs", "Definition of done", "Done when"; any case, emoji and punctuation ignored), ATX or
 * setext at any level, or a paragraph acting as one (`**Acceptance criteria**`, `Acceptance criteria:`,
 * `AC: …`). It holds one criterion per list item (bullets, numbers, checkboxes ticked or not; nested items
 * folded in as `parent: child; child`), per table row (cells joined by ` | `), per `Scenario:` of a Gherkin
 * block (` ```gherkin `, `feature`, `cucumber` or unlabelled), and per `AC1:`-style line; with none of those,
 * its paragraphs. Several such sections are read in order. Sections named "Notes", "Out of scope" and the
 * like never give criteria. Without a criteria section, the criteria are the body's checklist items
 * (`- [ ]`, `- [x]`), except those in the user story or in a section such as "Notes".
 *
 * The user story is a "User story" section, else the first `As a …, I want … (so that …)` sentence.
 * Linear in the body's length; never throws: a body nested deeper than {@link MAX_NESTING} gives no
 * criteria and `criteriaSection: "unparsed"`.
 */
export function parseWorkItem(body: string): WorkItemText {
  const clean = sanitizeUntrusted(bounded(body));
  const tokens = blocks(clean);
  if (!tokens) return { acceptanceCriteria: [], criteriaSection: "unparsed", notes: clean };
  const tagged = tagSections(tokens);
  const used = new Set<MarkedToken>();
  const hasSection = tagged.some((entry) => entry.kind === "ac");
  const found = hasSection ? sectionCriteria(tagged) : checklist(tagged, used);
  const acceptanceCriteria = [...new Set(found.map((text) => text.trim()).filter((text) => text !== ""))];
  const criteriaSection: CriteriaSection = !hasSection
    ? "none"
    : acceptanceCriteria.length > 0
    ? "parsed"
    : "unparsed";
  const userStory = userStoryOf(tagged, used);
  const notes = notesOf(tagged, used);
  return { ...(userStory === undefined ? {} : { userStory }), acceptanceCriteria, criteriaSection, notes };
}
