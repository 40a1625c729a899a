/**
 * Finds a work item's user story: a "User story" section, else the first `As a …, I want …` sentence.
 *
 * @module
 */
import type { MarkedToken } from "marked";
import { fold, itemText } from "./block_text.ts";
import type { Tagged } from "./section_headings.ts";

const STORY_START = /\bAs an?\s+\S/i;
const STORY_WANT = /\bI\s+(?:want|need|would like|can)\b/i;

function storySentence(text: string): string | undefined {
  const start = STORY_START.exec(text);
  if (!start || !STORY_WANT.test(text.slice(start.index + start[0].length))) return undefined;
  return text.slice(start.index).trim();
}

function storyText(token: MarkedToken): string {
  if (token.type === "list") return token.items.map(itemText).join(" ");
  if (token.type === "paragraph" || token.type === "blockquote") return fold(token.text);
  return "";
}

/** The user story: a "User story" section, else the first `As a …, I want …` sentence (paragraph used). */
export function userStoryOf(tagged: Tagged[], used: Set<MarkedToken>): string | undefined {
  const section = tagged
    .filter((entry) => entry.kind === "story")
    .map((entry) => entry.heading ? entry.heading.rest : storyText(entry.token))
    .filter((text) => text !== "")
    .join(" ")
    .replace(/[*_]{1,2}/g, "");
  if (section !== "") return fold(section);
  for (const { token, kind } of tagged) {
    if (kind !== "other" || (token.type !== "paragraph" && token.type !== "blockquote")) continue;
    const text = fold(token.text).replace(/[*_]{1,2}/g, "");
    const story = storySentence(text);
    if (story === undefined) continue;
    if (story.length >= text.length - 2) used.add(token);
    return story;
  }
  return undefined;
}
