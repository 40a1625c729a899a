import { describe, expect, test } from "vitest";
import { decodeAnsiC, decodeDoubleQuoted, decodeUnquoted } from "../../src/sandbox/shell_words.ts";

describe("quote removal, as bash does it", () => {
  test.each([
    ["plain", { text: "plain", glob: false }],
    ["a\\ b", { text: "a b", glob: false }],
    ["\\#x\\;\\'\\\"\\\\", { text: "#x;'\"\\", glob: false }],
    ["a\\\nb", { text: "ab", glob: false }],
    ["*.py", { text: "*.py", glob: true }],
    ["x?", { text: "x?", glob: true }],
    ["\\*.py", { text: "*.py", glob: false }],
    ["app/[ab]", { text: "app/[ab]", glob: false }],
    ["a$", { text: "a$", glob: false }],
  ])("an unquoted %j is %j", (raw, decoded) => {
    expect(decodeUnquoted(raw)).toEqual(decoded);
  });

  test.each(["a b", "a;b", "a|b", "a'b", 'a"b', "a`b", "a$(b", "a$b", "a${b}", "x\\"])(
    "an unquoted %j holds what bash would read as a separator, quote or expansion",
    (raw) => {
      expect(decodeUnquoted(raw)).toBeUndefined();
    },
  );

  test.each([
    ["a b", "a b"],
    ['a\\"b\\$c\\`d\\\\e', 'a"b$c`d\\e'],
    ["a\\nb\\'c", "a\\nb\\'c"],
    ["a\\\nb", "ab"],
    ["*", "*"],
    ["cost $", "cost $"],
  ])("between double quotes, %j is %j", (raw, text) => {
    expect(decodeDoubleQuoted(raw)).toBe(text);
  });

  test.each(["a`b", "$X", "${X}", "$(id)", 'a"b'])(
    "between double quotes, %j holds an expansion the grammar should have found",
    (raw) => {
      expect(decodeDoubleQuoted(raw)).toBeUndefined();
    },
  );

  test.each([
    ["a\\tb\\n", "a\tb\n"],
    ["\\x41\\101\\u00e9\\U0001F600", "AAé😀"],
    ["\\'\\\"\\\\\\?", "'\"\\?"],
    ["\\e[0m\\cA", "\x1b[0m\x01"],
    ["keep\\z", "keep\\z"],
    ["cut\\x00here", "cut"],
  ])("$'%s' is %j", (raw, text) => {
    expect(decodeAnsiC(raw)).toBe(text);
  });
});
