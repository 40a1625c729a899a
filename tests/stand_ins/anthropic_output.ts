/**
 * How the Anthropic stand-in fits a scripted answer into what the request allows, as the API does: an
 * answer longer than `max_tokens` is cut there (`stop_reason: "max_tokens"`, a tool call's input left
 * incomplete), and one that would overflow the context window is cut where the window ends
 * (`stop_reason: "model_context_window_exceeded"`). Token counts are the stand-in's (~4 characters).
 */
import { CHARS_PER_TOKEN, tokensOf } from "./anthropic_usage.ts";

/** A content block of a response, on the wire. */
export type WireBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** An answer fitted to its limits. */
export interface FittedAnswer {
  content: WireBlock[];
  /** `undefined`: the answer fit; else why it was cut. */
  cutBy?: "max_tokens" | "model_context_window_exceeded";
  /** Output tokens billed. */
  outputTokens: number;
}

/**
 * Fits `content` into `maxTokens` of output and into what the context window leaves after the
 * prompt (`windowLeft` tokens); the smaller limit cuts it.
 */
export function fitAnswer(
  content: WireBlock[],
  maxTokens: number,
  windowLeft: number,
  charsPerToken = CHARS_PER_TOKEN,
): FittedAnswer {
  const tokens = tokensOf(JSON.stringify(content).length, charsPerToken);
  const limit = Math.min(maxTokens, windowLeft);
  if (tokens <= limit) return { content, outputTokens: tokens };
  return {
    content: cutBlocks(content, Math.floor(limit * charsPerToken)),
    cutBy: windowLeft < maxTokens ? "model_context_window_exceeded" : "max_tokens",
    outputTokens: limit,
  };
}

/**
 * The blocks that fit in `chars` characters of JSON: the last one cut, a tool call's input cut to
 * the keys that fit and the string that was being written when the limit came (what a lenient
 * parse of the partial JSON gives).
 */
function cutBlocks(content: WireBlock[], chars: number): WireBlock[] {
  const kept: WireBlock[] = [];
  let left = chars;
  for (const block of content) {
    const size = JSON.stringify(block).length;
    if (size <= left) {
      kept.push(block);
      left -= size;
      continue;
    }
    if (block.type === "text") kept.push({ ...block, text: block.text.slice(0, Math.max(1, left)) });
    else {kept.push({
        ...block,
        input: cutInput(block.input, left - JSON.stringify({ ...block, input: {} }).length),
      });}
    break;
  }
  return kept;
}

function cutInput(input: Record<string, unknown>, chars: number): Record<string, unknown> {
  const cut: Record<string, unknown> = {};
  let left = chars;
  for (const [key, value] of Object.entries(input)) {
    const size = JSON.stringify({ [key]: value }).length;
    if (size <= left) {
      cut[key] = value;
      left -= size;
      continue;
    }
    if (typeof value === "string" && left > key.length + 6) cut[key] = value.slice(0, left - key.length - 6);
    break;
  }
  return cut;
}
