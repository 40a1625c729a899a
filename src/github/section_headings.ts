/**
 * Finds the sections of a work item body: Markdown headings (ATX, setext) and paragraphs acting as headings
 * (`**Acceptance criteria**`, `Acceptance criteria:`), each classified as criteria, user story, notes or other.
 *
 * @module
 */
import type { MarkedToken } from "marked";

/** What a section is about, from its heading: criteria, user story, never-criteria (notes, …), or other. */
export type Kind = "ac" | "story" | "excluded" | "other";

/** A heading: a Markdown one (depth 1–6) or a line acting as one (`**Acceptance criteria**`, `AC:`; 7). */
export interface Heading {
  kind: Kind;
  depth: number;
  /** Text after a `Label:` or bold heading, in the same paragraph. */
  rest: string;
}

/** A top-level token with the kind of the section it is in. */
export interface Tagged {
  token: MarkedToken;
  kind: Kind;
  heading?: Heading;
}

const AC_NAME = /^(?:acs?|acceptance criteri(?:a|on)s?|acceptance tests?|definition of done|done when)$/;
/** A heading that mentions criteria among other words ("✅ Acceptance criteria (v1)"); not a plain line. */
const AC_MENTION = /\bacceptance criteri(?:a|on)s?\b|\bdefinition of done\b/;
const STORY_NAME = /^(?:user stor(?:y|ies)|story)$/;
const EXCLUDED_NAME =
  /^(?:notes?|out of scope|not in scope|non goals?|open questions?|questions?|references?|links?|resources?|context|background|additional (?:context|notes|information)|(?:technical|implementation) (?:notes|details)|dependencies|screenshots?|alternatives?)\b/;
const BOLD_LINE = /^(\*\*|__)([^\n]{1,80}?)\1/;

/** The kind of a section titled `title`; `exact` for a plain line, which must be the name and no more. */
function kindOf(title: string, exact = false): Kind {
  const name = title.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  if (AC_NAME.test(name) || (!exact && AC_MENTION.test(name))) return "ac";
  if (STORY_NAME.test(name)) return "story";
  if (EXCLUDED_NAME.test(name)) return "excluded";
  return "other";
}

/**
 * A paragraph acting as a heading: `**Acceptance criteria**` or `Acceptance criteria:` (optionally followed
 * by text) for criteria and story sections; a bold line alone for any other section.
 */
function paragraphHeading(text: string): Heading | undefined {
  const newline = text.indexOf("\n");
  const first = newline < 0 ? text : text.slice(0, newline);
  const more = newline < 0 ? "" : text.slice(newline + 1);
  const bold = BOLD_LINE.exec(first);
  let title: string;
  let rest: string;
  if (bold) {
    title = bold[2] ?? "";
    rest = first.slice(bold[0].length).replace(/^[ \t]*:?/, "").trim();
  } else {
    const colon = first.indexOf(":");
    title = colon < 0 ? first : first.slice(0, colon);
    rest = colon < 0 ? "" : first.slice(colon + 1).trim();
    if (title.length > 40) return undefined;
  }
  const kind = kindOf(title, !bold);
  if (kind === "ac" || kind === "story") return { kind, depth: 7, rest: [rest, more].join("\n").trim() };
  if (bold && rest === "" && more.trim() === "") return { kind, depth: 7, rest: "" };
  return undefined;
}

function headingOf(token: MarkedToken): Heading | undefined {
  if (token.type === "heading") return { kind: kindOf(token.text), depth: token.depth, rest: "" };
  if (token.type === "paragraph") return paragraphHeading(token.text);
  return undefined;
}

/**
 * Tags each top-level token with its section. A section runs to the next heading of the same or a higher
 * level; a deeper heading stays inside unless it opens a section of another kind ("### Notes" ends the
 * criteria). A bold or `Label:` heading (depth 7) spans its own text and the blocks after it, up to the
 * first paragraph after some content.
 */
export function tagSections(tokens: MarkedToken[]): Tagged[] {
  const outside = () => ({ kind: "other" as Kind, depth: 0, hasContent: false });
  let section = outside();
  return tokens.map((token): Tagged => {
    const heading = headingOf(token);
    if (heading) {
      const inside = section.kind !== "other" && heading.depth > section.depth &&
        (heading.kind === "other" || heading.kind === section.kind);
      if (!inside) section = { kind: heading.kind, depth: heading.depth, hasContent: false };
      if (heading.rest !== "") section.hasContent = true;
      return { token, kind: section.kind, heading };
    }
    if (section.depth === 7 && section.hasContent && token.type === "paragraph") section = outside();
    if (token.type !== "space") section.hasContent = true;
    return { token, kind: section.kind };
  });
}
