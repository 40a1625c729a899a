/**
 * Reads a work item's body: its user story, its acceptance criteria and the
 * rest (notes). Issue text is untrusted, so it is sanitised first.
 */
import { sanitizeUntrusted } from "./sanitize.ts";

/** The parts of a work item body. */
export interface WorkItemText {
  userStory?: string;
  /** In the order, list markers and checkboxes removed. */
  acceptanceCriteria: string[];
  /** Everything else, sanitised. */
  notes: string;
}

type SectionKind = "ac" | "story" | "other";

interface Line {
  text: string;
  kind: SectionKind;
  /** A heading line of an `ac`/`story` section: never part of the notes. */
  marker: boolean;
  fenced: boolean;
  consumed: boolean;
}

interface Heading {
  title: string;
  /** Text after a `Label:` heading on the same line. */
  rest: string;
  /** ATX level; 7 for bold or label headings. */
  level: number;
}

const AC_NAMES = /^(acceptance criteri(a|on)s?|acceptance tests?|acs?|definition of done|done when)$/;
const STORY_NAMES = /^(user stor(y|ies)|story)$/;
const LIST_ITEM = /^(\s*)(?:[-*+]|\d{1,3}[.)])\s+(?:\[([ xX])\]\s*)?(.*)$/;
const CHECKLIST_ITEM = /^\s*(?:[-*+]|\d{1,3}[.)])\s+\[[ xX]\]\s+\S/;
const STORY_SENTENCE = /\bAs an?\s+\S[^\n]*?\bI\s+(?:want|need|would like|can)\b[^\n]*/i;

function sectionKind(title: string): SectionKind {
  const name = title.toLowerCase().replace(/[^a-z ]/g, " ").replace(/\s+/g, " ").trim();
  if (AC_NAMES.test(name)) return "ac";
  if (STORY_NAMES.test(name)) return "story";
  return "other";
}

function asHeading(line: string): Heading | undefined {
  const atx = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
  if (atx) return { title: (atx[2] ?? "").replace(/[*_:]/g, ""), rest: "", level: atx[1]?.length ?? 1 };
  const bold = /^\s*(?:\*\*|__)([^*_]+?)(?:\*\*|__)\s*:?\s*(.*)$/.exec(line);
  if (bold) {
    const title = (bold[1] ?? "").replace(/:\s*$/, "");
    const rest = bold[2] ?? "";
    if (sectionKind(title) !== "other" || rest === "") return { title, rest, level: 7 };
  }
  const label = /^\s*([A-Za-z][A-Za-z ]{0,30}?)\s*:\s*(.*)$/.exec(line);
  if (label && sectionKind(label[1] ?? "") !== "other") {
    return { title: label[1] ?? "", rest: label[2] ?? "", level: 7 };
  }
  return undefined;
}

/** Splits the body into lines tagged with the section they belong to. */
function classify(body: string): Line[] {
  const lines: Line[] = [];
  let kind: SectionKind = "other";
  let level = 0;
  let fenced = false;
  /** Whether the current section has a non-blank line yet. */
  let hasContent = false;
  for (const text of textLines(body)) {
    if (/^\s{0,3}(```|~~~)/.test(text)) {
      fenced = !fenced;
      lines.push({ text, kind, marker: false, fenced: true, consumed: false });
      continue;
    }
    const heading = fenced ? undefined : asHeading(text);
    const afterBlank = lines[lines.length - 1]?.text.trim() === "";
    if (!heading && level === 7 && kind !== "other" && hasContent && afterBlank && /^\S/.test(text)) {
      // A bold or `Label:` section spans its paragraph and any list right after it, not the rest of the body.
      if (!LIST_ITEM.test(text)) kind = "other";
    }
    if (!heading) {
      if (text.trim() !== "") hasContent = true;
      lines.push({ text, kind, marker: false, fenced, consumed: false });
      continue;
    }
    const next = sectionKind(heading.title);
    if (next === "other" && kind !== "other" && heading.level < 7 && heading.level > level) {
      lines.push({ text, kind, marker: true, fenced, consumed: false });
      continue;
    }
    kind = next;
    level = heading.level;
    hasContent = heading.rest !== "";
    lines.push({ text, kind, marker: kind !== "other", fenced, consumed: false });
    if (heading.rest !== "" && kind !== "other") {
      lines.push({ text: heading.rest, kind, marker: false, fenced, consumed: false });
    }
  }
  return lines;
}

function textLines(text: string): string[] {
  return text === "" ? [] : text.split("\n");
}

function tidy(text: string): string {
  return text.replace(/\s+/g, " ").replace(/^(\*\*|__)(.*)\1$/, "$2").trim();
}

/** List items of `lines` (continuation lines folded in); paragraphs when there is no list. */
function items(lines: Line[]): string[] {
  const found: string[] = [];
  let open = false;
  for (const line of lines) {
    if (line.fenced) continue;
    const item = LIST_ITEM.exec(line.text);
    if (item) {
      found.push(item[3] ?? "");
      open = true;
    } else if (line.text.trim() === "") {
      open = false;
    } else if (open && found.length > 0) {
      found[found.length - 1] += ` ${line.text.trim()}`;
    }
  }
  if (found.length > 0) return found.map(tidy).filter((text) => text !== "");
  return paragraphs(lines.filter((line) => !line.fenced).map((line) => line.text));
}

function paragraphs(lines: string[]): string[] {
  return lines.join("\n").split(/\n\s*\n/).map(tidy).filter((text) => text !== "");
}

function storyFrom(lines: Line[]): string | undefined {
  const text = paragraphs(lines.map((line) => line.text.replace(/^\s*(?:>\s*|[-*+]\s+)/, ""))).join(" ");
  return text === "" ? undefined : text.replace(/[*_]{1,2}/g, "");
}

/** Finds `As a …, I want … so that …` in a paragraph of the notes and consumes that paragraph. */
function inlineStory(lines: Line[]): string | undefined {
  let start = 0;
  for (let index = 0; index <= lines.length; index++) {
    const line = lines[index];
    if (line && line.text.trim() !== "" && !line.fenced) continue;
    const block = lines.slice(start, index).filter((candidate) =>
      candidate.kind === "other" && !candidate.consumed
    );
    const joined = tidy(block.map((candidate) => candidate.text.replace(/^\s*>\s?/, "")).join(" ")).replace(
      /[*_]{1,2}/g,
      "",
    );
    const match = STORY_SENTENCE.exec(joined);
    if (match) {
      const story = match[0].trim();
      if (story.length >= joined.length - 2) { for (const candidate of block) candidate.consumed = true; }
      return story;
    }
    start = index + 1;
  }
  return undefined;
}

/**
 * Parses a work item body (sanitised first with {@link sanitizeUntrusted}).
 *
 * Acceptance criteria are the list items (bullets, numbers, checkboxes) under a heading named
 * like "Acceptance criteria" (`## Acceptance Criteria`, `**Acceptance criteria:**`, `AC:`,
 * "Definition of done"), or its paragraphs when it has no list; without such a section, every
 * checklist item (`- [ ]`, `- [x]`) in the body. The user story is a "User story" section, else
 * the first `As a …, I want … (so that …)` sentence. Never throws.
 */
export function parseWorkItem(body: string): WorkItemText {
  const lines = classify(sanitizeUntrusted(body));
  let acceptanceCriteria = items(lines.filter((line) => line.kind === "ac" && !line.marker));
  if (acceptanceCriteria.length === 0) {
    const checklist = lines.filter((line) =>
      line.kind !== "story" && !line.fenced && CHECKLIST_ITEM.test(line.text)
    );
    acceptanceCriteria = items(checklist);
    for (const line of checklist) line.consumed = true;
  }
  const storyLines = lines.filter((line) => line.kind === "story" && !line.marker);
  const userStory = storyFrom(storyLines) ?? inlineStory(lines);
  const notes = lines
    .filter((line) => line.kind === "other" && !line.consumed)
    .map((line) => line.text)
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { ...(userStory === undefined ? {} : { userStory }), acceptanceCriteria, notes };
}
