/**
 * Making a conversation smaller when the API refuses it: compaction when it overflows the context
 * window (old tool outputs and old large tool inputs cleared; the task and the latest exchange kept),
 * and cutting the largest tool output when the request is over the API's byte limit.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";

/** A message of the conversation. */
export type MessageParam = Anthropic.Messages.UserMessageParam | Anthropic.Messages.AssistantMessageParam;

/** What replaces a tool output that compaction clears. */
export const CLEARED_OUTPUT =
  "[output cleared when the conversation was compacted to fit the context window; run the command again if you need it]";
/** What replaces a long string in an old tool call's input that compaction clears. */
export const CLEARED_INPUT = "[cleared when the conversation was compacted]";
/** Messages at the end (the latest answer and its tool results) that compaction keeps whole. */
const KEEP_LATEST = 2;
/** Tool-input strings up to this many characters survive compaction. */
const KEEP_INPUT_CHARS = 200;
/** Tool outputs up to this many characters are not cut. */
const MIN_CUT_CHARS = 1_000;

/**
 * Clears, in place, the tool outputs of every message but the first (the task) and the latest
 * {@link KEEP_LATEST}, and the long strings in those messages' tool inputs.
 *
 * @returns how many tool outputs and inputs were cleared (0: nothing left to clear).
 */
export function compactMessages(messages: MessageParam[]): number {
  let cleared = 0;
  for (const message of messages.slice(1, Math.max(1, messages.length - KEEP_LATEST))) {
    if (typeof message.content === "string") continue;
    message.content = message.content.map((block) => {
      if (block.type === "tool_result" && block.content !== CLEARED_OUTPUT) {
        cleared += 1;
        return { ...block, content: CLEARED_OUTPUT };
      }
      if (block.type === "tool_use") {
        const input = block.input as Record<string, unknown>;
        const long = Object.entries(input).filter(([, v]) =>
          typeof v === "string" && v.length > KEEP_INPUT_CHARS
        );
        if (long.length === 0) return block;
        cleared += 1;
        return {
          ...block,
          input: { ...input, ...Object.fromEntries(long.map(([k]) => [k, CLEARED_INPUT])) },
        };
      }
      return block;
    }) as typeof message.content;
  }
  return cleared;
}

/** What {@link cutLargestToolOutput} cut. */
export interface Cut {
  toolUseId: string;
  beforeChars: number;
  afterChars: number;
}

/**
 * Cuts, in place, the largest tool output (over {@link MIN_CUT_CHARS} characters) to half its length,
 * keeping its head and tail around a note saying how much was cut.
 *
 * @returns what was cut, or `undefined` when no tool output is large enough to cut.
 */
export function cutLargestToolOutput(messages: MessageParam[]): Cut | undefined {
  let largest: { block: Anthropic.Messages.ToolResultBlockParam; text: string } | undefined;
  for (const message of messages) {
    if (message.role !== "user" || typeof message.content === "string") continue;
    for (const block of message.content) {
      if (block.type !== "tool_result" || typeof block.content !== "string") continue;
      if (block.content.length > MIN_CUT_CHARS && block.content.length > (largest?.text.length ?? 0)) {
        largest = { block, text: block.content };
      }
    }
  }
  if (largest === undefined) return undefined;
  const { block, text } = largest;
  const keep = Math.floor(text.length / 2);
  const head = Math.ceil(keep * 0.6);
  const tail = keep - head;
  const note = `\n[… ${text.length - keep} characters cut: the request was over the API's size limit …]\n`;
  block.content = text.slice(0, head) + note + text.slice(text.length - tail);
  return { toolUseId: block.tool_use_id, beforeChars: text.length, afterChars: block.content.length };
}
