/**
 * Reads a work item's body from the structure of its Markdown: its user story, its acceptance criteria and
 * the rest (notes). Issue text is untrusted, so it is sanitised first.
 *
 * @module
 */
import type { MarkedToken } from "marked";
import { blocks, bounded } from "./body_guards.ts";
import { checklist, sectionCriteria } from "./criteria_extraction.ts";
import { sanitizeUntrusted } from "./sanitize.ts";
import { tagSections } from "./section_headings.ts";
import { notesOf } from "./work_item_notes.ts";
import { userStoryOf } from "./work_item_story.ts";

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

/**
 * Parses a work item body: cut to its lines within `MAX_BODY_CHARS` (`body_guards.ts`), sanitised with
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
 * Linear in the body's length; never throws: a body nested deeper than `MAX_NESTING` gives no
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
