import { describe, expect, test } from "vitest";
import { cutGraphemes, tailGraphemes } from "../../src/github/grapheme_cut.ts";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const family = "👨\u200D👩\u200D👧"; // one grapheme, 8 code units
const accented = "e\u0301\u0327"; // e + two combining marks, 3 code units

/** [what, text, max, prefix kept, suffix kept] */
const cases: Array<[string, string, number, string, string]> = [
  ["text that fits is kept whole", "abc", 3, "abc", "abc"],
  ["a surrogate pair is never split", "a😀b", 2, "a", "b"],
  ["an emoji ZWJ sequence is never split", `a${family}b`, 8, "a", "b"],
  ["combining marks stay with their letter", `a${accented}b`, 3, "a", "b"],
  ["a cut at a boundary keeps the whole cluster", `${family}x`, 8, family, "x"],
  ["zero keeps nothing", "abc", 0, "", ""],
  ["a negative size keeps nothing", "abc", -1, "", ""],
];

describe("cutGraphemes() and tailGraphemes()", () => {
  test.each(cases)("%s", (_, text, max, prefix, suffix) => {
    expect(cutGraphemes(text, max)).toBe(prefix);
    expect(tailGraphemes(text, max)).toBe(suffix);
  });

  test("10 emoji around every cut point leave no lone surrogate", () => {
    const text = `${"a".repeat(95)}${"😀".repeat(10)}${"b".repeat(95)}`;
    for (let max = 90; max <= 120; max++) {
      const head = cutGraphemes(text, max);
      const tail = tailGraphemes(text, max);
      for (const part of [head, tail]) {
        expect(part.length).toBeLessThanOrEqual(max);
        expect(part).not.toMatch(LONE_SURROGATE);
        expect(new TextDecoder().decode(new TextEncoder().encode(part))).toBe(part);
      }
      expect(max - head.length).toBeLessThanOrEqual(1);
    }
  });
});
