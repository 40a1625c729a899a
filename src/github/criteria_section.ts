/**
 * The "Acceptance criteria mapping" section of the pull request body: every criterion of the
 * issue, in order and numbered as the task prompt listed them, with its exact text from the issue
 * (see {@link mapCriteria}) and what the model reported for it.
 *
 * @module
 */
import type { CriteriaSection } from "./acceptance_criteria.ts";
import { type CriterionEntry, mapCriteria } from "./criteria_mapping.ts";
import { type FieldRenderer, labelled, markdownField } from "./markdown_field.ts";
import { cutGraphemes } from "./grapheme_cut.ts";
import { sanitizeUntrusted } from "./sanitize.ts";

/** One criterion of the issue with the model's report, sanitised. */
interface Row {
  number: number;
  text: string;
  state: "met" | "not met" | "no evidence given" | "not mapped";
  /** The evidence, or the reason when not met. */
  evidence: string;
}

/** An entry of the model that names no criterion of the issue, sanitised. */
interface Extra {
  label: string;
  evidence: string;
  met: boolean;
}

/** The section's content, sanitised once and rendered at any {@link CriteriaLimits}. */
export interface CriteriaTable {
  /** The first {@link CRITERIA_LISTED_MAX} criteria. */
  rows: Row[];
  /** How many criteria the issue has. */
  count: number;
  /** The first {@link EXTRAS_MAX} entries that match no criterion. */
  extras: Extra[];
  extraCount: number;
  unparsed: boolean;
}

/** Sizes for {@link renderCriteria}, in UTF-16 code units of each text before it is defused. */
export interface CriteriaLimits {
  /** Evidence (or reason) of each criterion; 0 leaves evidence out, with a note. */
  evidence: number;
  /** Each criterion's text. */
  criteria: number;
  /** How many criteria are listed; the rest are counted in a note. */
  shown: number;
  /** The model's entries that match no criterion (label and evidence); 0 lists only their count. */
  other: number;
}

/** How many entries that match no criterion are listed at most. */
const EXTRAS_MAX = 50;
/** The longest label of such an entry. */
const EXTRA_LABEL_MAX = 500;
/** The most of each evidence text read (what the body can show of it: 6,000 characters, four times). */
const EVIDENCE_READ_MAX = 24_000;
/** The most of a criterion's text shown; the issue holds the rest. */
export const CRITERION_MAX = 2_000;
/** The most criteria listed; the rest are counted, and the issue lists them. */
export const CRITERIA_LISTED_MAX = 2_000;
const LIMIT = "to keep this body within GitHub's 65,536-character limit";

/**
 * Maps `entries` onto `criteria` (the parser's list, 1-based as the prompt numbered it) and sanitises
 * the text; `section` is the parser's verdict on the criteria section.
 */
export function prepareCriteria(
  criteria: readonly string[],
  entries: readonly CriterionEntry[],
  section: CriteriaSection | undefined,
): CriteriaTable {
  const { mapped, missing, extra } = mapCriteria(criteria, entries);
  const read = (text: string, max: number) => sanitizeUntrusted(cutGraphemes(text, max));
  const criterion = (text: string) => read(text, 4 * CRITERION_MAX);
  const rows: Row[] = [
    ...mapped.filter((entry) => entry.number <= CRITERIA_LISTED_MAX).map((entry): Row => {
      const evidence = read(entry.evidence ?? "", EVIDENCE_READ_MAX);
      const state = !entry.met ? "not met" : evidence === "" ? "no evidence given" : "met";
      return { number: entry.number, text: criterion(entry.text), state, evidence };
    }),
    ...missing.filter((entry) => entry.number <= CRITERIA_LISTED_MAX).map((entry): Row => ({
      number: entry.number,
      text: criterion(entry.text),
      state: "not mapped",
      evidence: "",
    })),
  ].sort((a, b) => a.number - b.number);
  const extras = extra.slice(0, EXTRAS_MAX).map((entry) => ({
    label: typeof entry.criterion === "number"
      ? `criterion ${entry.criterion}`
      : read(String(entry.criterion), 4 * EXTRA_LABEL_MAX),
    evidence: read(entry.evidence ?? "", EVIDENCE_READ_MAX),
    met: entry.met ?? true,
  }));
  return {
    rows,
    count: criteria.length,
    extras,
    extraCount: extra.length,
    unparsed: criteria.length === 0 && section === "unparsed",
  };
}

/**
 * The section's Markdown: `N. ✅ <criterion>` with `Evidence: …`, `N. ❌ not met: <criterion>`
 * with `Reason: …`, `N. ⚠️ no evidence given: <criterion>` or `N. ⚠️ not mapped: <criterion>`,
 * then the entries that match no criterion. With no criteria it says the issue lists none, or,
 * for an `unparsed` issue, that they could not be parsed. Pure.
 */
export function renderCriteria(
  table: CriteriaTable,
  limits: CriteriaLimits,
  field: FieldRenderer = markdownField,
): string {
  const { rows, extras } = table;
  const lines: string[] = [];
  if (rows.length === 0) {
    lines.push(
      table.unparsed
        ? "The issue's acceptance criteria could not be parsed; see the issue."
        : "The issue lists no acceptance criteria.",
    );
  }
  const shown = Math.min(limits.shown, rows.length);
  for (const row of rows.slice(0, shown)) lines.push(item(row, limits, field));
  if (shown < table.count) {
    lines.push("", `${table.count - shown} more criteria were left out ${LIMIT}; see the issue.`);
  }
  if (limits.evidence === 0 && rows.some((row) => row.evidence !== "")) {
    lines.push("", `_Evidence was left out ${LIMIT}._`);
  }
  if (extras.length > 0) {
    lines.push(
      "",
      rows.length > 0
        ? "Also reported by the agent (not among the issue's criteria):"
        : "Reported by the agent:",
    );
    const listed = limits.other === 0 ? 0 : Math.min(extras.length, EXTRAS_MAX);
    for (const extra of extras.slice(0, listed)) {
      const label = field(extra.label, Math.min(limits.other, EXTRA_LABEL_MAX));
      const evidence = extra.evidence === "" ? "None." : field(extra.evidence, limits.other);
      lines.push(
        `${labelled("-", label, 2)}\n  ${labelled(extra.met ? "Evidence:" : "Not met:", evidence, 2)}`,
      );
    }
    if (listed < table.extraCount) lines.push(`- … and ${table.extraCount - listed} more`);
  }
  return lines.join("\n");
}

/** One numbered list item; its content starts after `N. `, so its other lines are indented that far. */
function item(row: Row, limits: CriteriaLimits, field: FieldRenderer): string {
  const marker = `${row.number}. `;
  const indent = marker.length;
  const head = row.state === "met" ? "✅" : `${row.state === "not met" ? "❌" : "⚠️"} ${row.state}:`;
  const first = marker + labelled(head, field(row.text, limits.criteria), indent);
  if (row.evidence === "" || limits.evidence === 0) return first;
  const label = row.state === "met" ? "Evidence:" : "Reason:";
  return `${first}\n${" ".repeat(indent)}${labelled(label, field(row.evidence, limits.evidence), indent)}`;
}
