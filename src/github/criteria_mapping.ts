/**
 * How the model's `submit_work` entries map onto the acceptance
 * criteria. The model names each criterion by its number, as the task prompt
 * lists them (1-based); text instead of a number is matched tolerantly (see
 * {@link criterionKey}), in any script. The host, not the model, holds each
 * criterion's exact text.
 */
import type { Submission } from "../contracts/submission.ts";

/**
 * One `submit_work` entry as the model sends it: `criterion` is the criterion's number in the task
 * prompt (1-based) or its text; `evidence` says where it is met, or, when `met` is false, why not.
 */
export type CriterionEntry = Submission["acceptance_criteria"][number];

/** A criterion of the issue with the model's entry for it. */
export interface MappedCriterion {
  /** 1-based, as the task prompt lists it. */
  number: number;
  /** Exactly as parsed from the issue. */
  text: string;
  evidence: string;
  met: boolean;
}

/** The result of {@link mapCriteria}. */
export interface CriteriaMapping {
  /** The criteria the model mapped, in the order. */
  mapped: MappedCriterion[];
  /** The criteria it did not map, in the order. */
  missing: Array<{ number: number; text: string }>;
  /** Entries that name no criterion of the issue (a number out of range, unknown text, a repeat). */
  extra: CriterionEntry[];
}

/**
 * How criterion text is compared: Unicode NFKC, lower case, Markdown marks, list and checkbox markers,
 * punctuation and spacing dropped; letters and digits of every script kept.
 */
export function criterionKey(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/^\s*(?:[-*+]|\d+[.)])?\s*(?:\[[ xX]\])?\s*/, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

/** Maps `entries` onto `criteria`: by number first, then by exact key, then by key containment. */
export function mapCriteria(
  criteria: readonly string[],
  entries: readonly CriterionEntry[],
): CriteriaMapping {
  const byNumber = new Map<number, CriterionEntry>();
  const byText: CriterionEntry[] = [];
  const extra: CriterionEntry[] = [];
  for (const entry of entries) {
    const number = typeof entry.criterion === "number" ? entry.criterion : numeral(entry.criterion);
    if (number === undefined) byText.push(entry);
    else if (number >= 1 && number <= criteria.length && !byNumber.has(number)) byNumber.set(number, entry);
    else extra.push(entry);
  }
  const keys = criteria.map(criterionKey);
  const claim = (index: number, entry: CriterionEntry) => {
    if (!byNumber.has(index + 1)) byNumber.set(index + 1, entry);
    else extra.push(entry);
  };
  const unplaced: CriterionEntry[] = [];
  for (const entry of byText) {
    const key = criterionKey(String(entry.criterion));
    const index = keys.findIndex((k, i) => k === key && key !== "" && !byNumber.has(i + 1));
    if (index === -1) unplaced.push(entry);
    else claim(index, entry);
  }
  for (const entry of unplaced) {
    const key = criterionKey(String(entry.criterion));
    const index = key === ""
      ? -1
      : keys.findIndex((k, i) => k !== "" && !byNumber.has(i + 1) && (k.includes(key) || key.includes(k)));
    if (index === -1) extra.push(entry);
    else claim(index, entry);
  }
  const mapped: MappedCriterion[] = [];
  const missing: CriteriaMapping["missing"] = [];
  criteria.forEach((text, i) => {
    const entry = byNumber.get(i + 1);
    if (entry) mapped.push({ number: i + 1, text, evidence: entry.evidence, met: entry.met ?? true });
    else missing.push({ number: i + 1, text });
  });
  return { mapped, missing, extra };
}

/** The longest text read as a criterion's number (`criterion 1234.` and spaces around it). */
const NUMERAL_MAX_CHARS = 32;

/**
 * `3`, `#3`, `AC3`, `AC-3`, `criterion 3` → 3; other text → undefined. Trimmed first, so no two runs of
 * blanks in the pattern can trade characters (that made a long run of spaces quadratic).
 */
function numeral(text: string): number | undefined {
  const trimmed = text.length > NUMERAL_MAX_CHARS ? "" : text.trim();
  const match = /^(?:#|ac[\s-]?|criterion\s*)?(\d{1,4})\s*[.:)]?$/i.exec(trimmed);
  return match ? Number(match[1]) : undefined;
}
