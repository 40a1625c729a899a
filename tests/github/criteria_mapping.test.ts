import { describe, expect, test } from "vitest";
import { criterionKey, mapCriteria } from "../../src/github/criteria_mapping.ts";

const CRITERIA = [
  '`GET /items/{item_id}/tags` returns 200 with `{"item_id": "<item_id>", "tags": [...]}` for a known item (e.g. `plumbus`).',
  "An unknown item answers 404",
  "Tests cover both",
];
const entry = (criterion: number | string, evidence = "tests/test_tags.py") => ({ criterion, evidence });

describe("mapping submit_work entries onto the issue's criteria", () => {
  test("by number: the host keeps each criterion's exact text, whatever the model wrote", () => {
    const mapping = mapCriteria(CRITERIA, [entry(1), entry(2), {
      criterion: 3,
      evidence: "no time",
      met: false,
    }]);
    expect(mapping.missing).toEqual([]);
    expect(mapping.extra).toEqual([]);
    expect(mapping.mapped).toEqual([
      { number: 1, text: CRITERIA[0], evidence: "tests/test_tags.py", met: true },
      { number: 2, text: CRITERIA[1], evidence: "tests/test_tags.py", met: true },
      { number: 3, text: CRITERIA[2], evidence: "no time", met: false },
    ]);
  });

  test("numbers written as text count: `2`, `#2`, `AC2`, `AC-3`", () => {
    expect(mapCriteria(CRITERIA, [entry("#1"), entry("AC2"), entry("AC-3")]).missing).toEqual([]);
  });

  test("text is matched ignoring case, Markdown and punctuation", () => {
    const mapping = mapCriteria(CRITERIA, [
      entry("an UNKNOWN item answers 404."),
      entry("- [x] **Tests** cover both"),
    ]);
    expect(mapping.missing).toEqual([{ number: 1, text: CRITERIA[0] }]);
  });

  test("criteria in any script stay distinct, and a half-mapped submission is caught", () => {
    const japanese = ["ユーザーはタスクを作成できる", "ユーザーはタスクを削除できる"];
    expect(criterionKey(japanese[0]!)).not.toBe(criterionKey(japanese[1]!));
    const mapping = mapCriteria(japanese, [entry("ユーザーはタスクを作成できる")]);
    expect(mapping.mapped.map((m) => m.number)).toEqual([1]);
    expect(mapping.missing).toEqual([{ number: 2, text: japanese[1] }]);
  });

  test("full-width and compatibility forms match their plain forms (NFKC)", () => {
    expect(mapCriteria(["Returns 404"], [entry("Ｒｅｔｕｒｎｓ　４０４")]).missing).toEqual([]);
  });

  test("numbers out of range, repeats and unknown text are extras, never a mapping", () => {
    const mapping = mapCriteria(CRITERIA, [entry(1), entry(1, "again"), entry(9), entry("something else")]);
    expect(mapping.mapped.map((m) => m.number)).toEqual([1]);
    expect(mapping.extra.map((e) => e.criterion)).toEqual([1, 9, "something else"]);
    expect(mapping.missing.map((m) => m.number)).toEqual([2, 3]);
  });
});
