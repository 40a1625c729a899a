/**
 * A complete Messages API response as the stream of events the streaming API sends for it
 * (`message_start`, per block `content_block_start` / `_delta` / `_stop`, `message_delta`,
 * `message_stop`), for stand-ins whose provider streams (Bedrock's event stream, Vertex's SSE).
 * Source: the Messages API's "Streaming Messages" reference.
 */

type Block = { type: string; text?: string; id?: string; name?: string; input?: unknown };

/** A non-streaming response body (`type: "message"`). */
export interface WireMessage {
  id: string;
  model: string;
  content: Block[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number; [key: string]: unknown };
  [key: string]: unknown;
}

/** The events streaming `message` would send, in order. */
export function streamEvents(message: WireMessage): Array<Record<string, unknown>> {
  const { content, stop_reason, stop_sequence, usage, ...rest } = message;
  const events: Array<Record<string, unknown>> = [{
    type: "message_start",
    message: {
      ...rest,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  }];
  for (const [index, block] of content.entries()) {
    if (block.type === "tool_use") {
      events.push({ type: "content_block_start", index, content_block: { ...block, input: {} } });
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input ?? {}) },
      });
    } else {
      events.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
      events.push({
        type: "content_block_delta",
        index,
        delta: { type: "text_delta", text: block.text ?? "" },
      });
    }
    events.push({ type: "content_block_stop", index });
  }
  events.push({
    type: "message_delta",
    delta: { stop_reason, stop_sequence },
    usage: { output_tokens: usage.output_tokens },
  });
  events.push({ type: "message_stop" });
  return events;
}
