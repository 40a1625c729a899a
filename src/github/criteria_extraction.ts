/**
 * Reads criteria from blocks, per kind: list items, table rows, Gherkin scenarios, `AC1:`-style lines and
 * paragraphs in a criteria section, or checklist items when there is none.
 *
 * @module
 */
import type { MarkedToken, Tokens } from "marked";
import { fold, itemText } from "./block_text.ts";
import type { Tagged } from "./section_headings.ts";

/** `AC1: …`, `AC-2: …`, `AC 3 - …`, `**AC4:** …`: one criterion, the label dropped. */
const AC_LINE = /^(?:[*_]{2})?AC[ -]?\d{1,3}(?:[*_]{2})?[ \t]*[:.)\-–—](?:[*_]{2})?[ \t]*(\S.*)$/i;
const GHERKIN_LANGS = new Set(["", "gherkin", "feature", "cucumber"]);
const SCENARIO = /^(?:Scenario(?: Outline| Template)?|Example)[ \t]*:(.*)$/i;
const GHERKIN_SECTION = /^(?:Feature|Background|Rule|Examples|Scenarios)[ \t]*:/i;
const STEP = /^(?:Given|When|Then|And|But)\b/;

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
export function sectionCriteria(tagged: Tagged[]): string[] {
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
export function checklist(tagged: Tagged[], used: Set<MarkedToken>): string[] {
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
