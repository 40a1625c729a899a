/**
 * Validation of a `POST /v1/messages` body by the Anthropic stand-in: the
 * rules the real API enforces that a client loop can get wrong.
 */
import { countBreakpoints, promptSegments } from "./anthropic_usage.ts";

const MAX_BREAKPOINTS = 4;

type Block = { type?: unknown; text?: unknown; id?: unknown; tool_use_id?: unknown };

function blocksOf(message: unknown): Block[] {
  const content = (message as { content?: unknown }).content;
  return Array.isArray(content) ? content as Block[] : [];
}

function checkMessages(messages: unknown[]): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (typeof message !== "object" || message === null) return `messages.${i}: Input should be an object`;
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (role !== "user" && role !== "assistant") {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
    if (typeof content === "string") {
      if (content === "") return `messages.${i}: all messages must have non-empty content`;
      continue;
    }
    if (!Array.isArray(content)) return `messages.${i}.content: Input should be a string or a list of blocks`;
    for (const [j, block] of (content as Block[]).entries()) {
      if (typeof block !== "object" || block === null || typeof block.type !== "string") {
        return `messages.${i}.content.${j}.type: Field required`;
      }
      if (block.type === "text" && (typeof block.text !== "string" || block.text === "")) {
        return `messages.${i}.content.${j}.text: text content blocks must be non-empty`;
      }
    }
  }
  return undefined;
}

function checkToolPairs(messages: unknown[]): string | undefined {
  for (const [i, message] of messages.entries()) {
    const role = (message as { role?: unknown }).role;
    const results = blocksOf(message).filter((b) => b.type === "tool_result").map((b) => b.tool_use_id);
    const previous = i > 0
      ? blocksOf(messages[i - 1]).filter((b) => b.type === "tool_use").map((b) => b.id)
      : [];
    const unexpected = results.filter((id) => !previous.includes(id));
    if (role === "user" && unexpected.length > 0) {
      return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ` +
        `${unexpected.join(", ")}. Each \`tool_result\` block must have a corresponding \`tool_use\` block ` +
        `in the previous message.`;
    }
    if (role !== "assistant") continue;
    const uses = blocksOf(message).filter((b) => b.type === "tool_use").map((b) => b.id);
    if (uses.length === 0 || i === messages.length - 1) continue;
    const answered = blocksOf(messages[i + 1]).filter((b) => b.type === "tool_result").map((b) =>
      b.tool_use_id
    );
    const missing = uses.filter((id) => !answered.includes(id));
    if (missing.length > 0) {
      return `messages.${
        i + 1
      }: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ` +
        `${
          missing.join(", ")
        }. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the ` +
        `next message.`;
    }
  }
  return undefined;
}

/** 1-hour cache entries must come before 5-minute ones in the prompt (tools, system, messages). */
function checkTtlOrder(body: Record<string, unknown>): string | undefined {
  let seen5m = false;
  for (const segment of promptSegments(body)) {
    if (!segment.breakpoint) continue;
    if (segment.ttl === "1h" && seen5m) {
      return "A cache_control with ttl '1h' must not come after a cache_control with ttl '5m'";
    }
    if (segment.ttl === "5m") seen5m = true;
  }
  return undefined;
}

/**
 * Returns why the API would reject `body` with 400 invalid_request_error, or `undefined` when it is
 * valid. `endpoint`: `messages` (`POST /v1/messages`, `max_tokens` required) or `count_tokens`
 * (`POST /v1/messages/count_tokens`, which takes no `max_tokens`).
 */
export function invalidRequestReason(
  body: unknown,
  endpoint: "messages" | "count_tokens" = "messages",
): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return "Request body must be a JSON object";
  }
  const { model, max_tokens, messages, stream, tools } = body as Record<string, unknown>;
  if (typeof model !== "string" || model === "") return "model: Field required";
  if (endpoint === "count_tokens") {
    if (max_tokens !== undefined) return "max_tokens: Extra inputs are not permitted";
  } else if (max_tokens === undefined) return "max_tokens: Field required";
  else if (!Number.isInteger(max_tokens) || (max_tokens as number) < 1) {
    return "max_tokens: Input should be an integer greater than or equal to 1";
  }
  if (messages === undefined) return "messages: Field required";
  if (!Array.isArray(messages) || messages.length === 0) return "messages: at least one message is required";
  if (stream === true) return "stream: the stand-in answers non-streaming requests only";
  if (tools !== undefined && !Array.isArray(tools)) return "tools: Input should be a valid list";
  for (const [i, tool] of (Array.isArray(tools) ? tools : []).entries()) {
    if (typeof (tool as { name?: unknown }).name !== "string") return `tools.${i}.name: Field required`;
  }
  const breakpoints = countBreakpoints(body as Record<string, unknown>);
  if (breakpoints > MAX_BREAKPOINTS) {
    return `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`;
  }
  return checkTtlOrder(body as Record<string, unknown>) ?? checkMessages(messages) ??
    checkToolPairs(messages);
}
