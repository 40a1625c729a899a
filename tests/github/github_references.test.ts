import { describe, expect, test } from "vitest";
import { neutralisePlain } from "../../src/github/github_references.ts";
import { defuseMarkdown } from "../../src/github/markdown_defuse.ts";
import { liveReferences } from "./live_references.ts";

/** GitHub's closing keywords ("Linking a pull request to an issue", GitHub Docs), any case. */
const KEYWORDS = ["close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved"];
const CASES = [
  (k: string) => k,
  (k: string) => k[0]!.toUpperCase() + k.slice(1),
  (k: string) => k.toUpperCase(),
];
/** What may stand between a keyword and its issue. */
const GAPS = [" ", ": ", ":", "  ", "\t", " :", ":\t"];
/** Every way GitHub names an issue. */
const TARGETS = [
  "#3",
  "owner/repo#3",
  "owner-1/repo.js#3",
  "GH-3",
  "gh-3",
  "https://github.com/o/r/issues/3",
  "http://github.com/o/r/issues/3",
  "https://github.com/o/r/pull/3",
  "https://ghe.example.com/o/r/issues/3",
  "https://github.com/o/r/issues/3#issuecomment-1",
  "www.github.com/o/r/issues/3",
  "\\#3",
  "&#35;3",
  "&num;3",
  "&#x23;3",
];
/** The places a keyword can sit in Markdown. */
const PLACES = [
  (text: string) => text,
  (text: string) => `- ${text}`,
  (text: string) => `> ${text}`,
  (text: string) => `1. **${text}**`,
  (text: string) => `_${text}_`,
  (text: string) => `| ${text} |\n|---|`,
  (text: string) => `[${text}](https://example.com)`,
  (text: string) => `see (${text}).`,
];

const closingForms = KEYWORDS.flatMap((keyword) =>
  CASES.flatMap((kase) => GAPS.flatMap((gap) => TARGETS.map((target) => `${kase(keyword)}${gap}${target}`)))
);

/**
 * [form, how GitHub would read it]: every spelling of a mention and a bare reference. The reader below
 * (marked) finds each live as written, except those inside a link's text, which GitHub does not read.
 */
const MENTIONS: Array<[string, string]> = [
  ["@user", "a mention"],
  ["`@user", "a mention after a backtick that closes nothing"],
  ["``@user", "a mention after two backticks that close nothing"],
  ["_@user_", "a mention in underscore emphasis"],
  ["*@user*", "a mention in star emphasis"],
  ["**@user**", "a mention in strong emphasis"],
  ["~~@user~~", "a mention struck through"],
  ["@org/team", "a team mention"],
  ["@user-name", "a hyphenated user"],
  ["(@user)", "a mention in parentheses"],
  ["@user's", "a possessive"],
  [".@user", "a mention after punctuation"],
  ["\\@user", "an escaped at sign"],
  ["&#64;user", "a decimal reference"],
  ["&#x40;user", "a hex reference"],
  ["&#0064;user", "a reference with zeros"],
  ["&commat;user", "a named reference"],
  ["@&#117;ser", "a reference inside the name"],
  ["[@user](https://example.com)", "a mention as link text"],
  ["me@x.io@user", "a mention after an address"],
  ["www.x.io@user", "a mention after an autolink"],
  ["é@user", "a mention after a letter outside ASCII"],
  ["\\`@user", "a mention after an escaped backtick"],
  ["a\\GH-3 @user", "a reference after a lone backslash"],
  ["GH-3", "a bare GH reference"],
  ["#3", "a bare reference"],
  ["owner/repo#3", "a bare cross-repository reference"],
  ["https://github.com/o/r/issues/3", "a bare issue URL"],
  ["https://github.com/my_org/r/issues/3", "an issue URL with an underscore"],
  ["[x](https://github.com/o/r/issues/3) @user", "an issue link, then a mention"],
  ["[x](/o/r/issues/3)", "a relative issue link"],
  ["<https://github.com/o/r/issues/3>", "an angle autolink"],
  ["&amp;#3", "an ampersand before a reference"],
  ["#&#51;", "a digit written as a reference"],
  ["Fixes #1, #2 and #3", "a list of references"],
  ["fixes\n#3", "a keyword and its reference on two lines"],
];

describe("defuseMarkdown() leaves nothing GitHub would act on", () => {
  test(`closing keywords: ${closingForms.length} forms × ${PLACES.length} places`, () => {
    const live = closingForms.flatMap((form) =>
      PLACES.map((place) => place(form)).filter((text) => liveReferences(defuseMarkdown(text)).length > 0)
    );
    expect(live).toEqual([]);
  });

  test.each(MENTIONS)("%s (%s)", (form) => {
    if (!/^(?:me@|www\.|\[)/.test(form)) expect(liveReferences(form).length).toBeGreaterThan(0);
    for (const place of PLACES) {
      const text = place(form);
      expect(liveReferences(defuseMarkdown(text)), JSON.stringify(text)).toEqual([]);
    }
  });

  test("keeps what GitHub does not act on as written", () => {
    for (const text of ["me@example.com", "C# 3", "#x", "issue 3", "a#3b"]) {
      expect(liveReferences(text)).toEqual([]);
    }
    expect(defuseMarkdown("me@example.com and C# 3 and #x")).toBe("me@example.com and C# 3 and #x");
  });

  test("puts each form in code as a reader would write it", () => {
    expect(defuseMarkdown("Fixes:#3, closes owner/repo#4, GH-5 and https://github.com/o/r/issues/6."))
      .toBe("Fixes:`#3`, closes `owner/repo#4`, `GH-5` and `https://github.com/o/r/issues/6`.");
    expect(defuseMarkdown("\\`@user _@user_ &#64;team/x")).toBe("\\``@user` _`@user`_ `@team/x`");
    expect(defuseMarkdown("a\\GH-3")).toBe("a\\\\`GH-3`");
  });
});

describe("neutralisePlain()", () => {
  test("puts every closing form and mention of a title in code, and keeps the rest", () => {
    expect(neutralisePlain("Fixes:#3 for @bob, closes acme/x#4 (GH-5)")).toBe(
      "Fixes:`#3` for `@bob`, closes `acme/x#4` (`GH-5`)",
    );
    expect(neutralisePlain("Add GET /tasks/{id} & <b>")).toBe("Add GET /tasks/{id} & <b>");
  });

  test("leaves no keyword right before a reference, in any form", () => {
    const closing =
      /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)[\s:]*(?:[\w.-]+\/[\w.-]+)?(?:#\d|GH-\d|https?:)/i;
    const forms = closingForms.filter((form) => !form.includes("&") && !form.includes("\\"));
    expect(forms.filter((form) => closing.test(neutralisePlain(form)))).toEqual([]);
  });
});
