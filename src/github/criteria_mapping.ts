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

/**
 * Most (entry, criterion) pairs compared by key containment: the comparison costs the product of their
 * counts, so past this many pairs (a model naming hundreds of criteria by unknown text, on an issue with
 * thousands) the entries left are extra instead. Matching by number and by exact key stays linear.
 */
export const CONTAINMENT_PAIRS_MAX = 100_000;

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
  /** The criteria of each key, and how many of them were looked at (a claimed one stays claimed). */
  const byKey = new Map<string, { indices: number[]; next: number }>();
  keys.forEach((key, index) => {
    if (key === "") return;
    const same = byKey.get(key) ?? { indices: [], next: 0 };
    same.indices.push(index);
    byKey.set(key, same);
  });
  const firstFree = (key: string) => {
    const same = byKey.get(key);
    if (!same) return undefined;
    while (same.next < same.indices.length && byNumber.has(same.indices[same.next]! + 1)) same.next++;
    return same.indices[same.next];
  };
  const claim = (index: number, entry: CriterionEntry) => {
    if (!byNumber.has(index + 1)) byNumber.set(index + 1, entry);
    else extra.push(entry);
  };
  const unplaced: CriterionEntry[] = [];
  for (const entry of byText) {
    const key = criterionKey(String(entry.criterion));
    const index = firstFree(key);
    if (index === undefined) unplaced.push(entry);
    else claim(index, entry);
  }
  let pairs = 0;
  for (const entry of unplaced) {
    const key = criterionKey(String(entry.criterion));
    pairs += keys.length;
    const index = key === "" || pairs > CONTAINMENT_PAIRS_MAX
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
