/**
 * A work item's trajectory: each model call in order with its text, its tool calls and their results.
 * A tool call shows how long it took and its tokens (input and result at four characters a token, the
 * agent loop's own estimate); a model call shows the tokens the API reported. Long inputs and outputs
 * are folded (`<details>`). Everything here is model or sandbox output: escaped, never interpreted.
 */
import { html } from "hono/html";
import { z } from "zod";
import { count, duration, estimatedTokens } from "./ui_format.ts";
import type { Html } from "./ui_layout.ts";

/** Longer than this many characters, or {@link FOLD_LINES} lines, a text is folded. */
export const FOLD_CHARS = 1_200;
/** See {@link FOLD_CHARS}. */
export const FOLD_LINES = 20;

const tokens = z.number().int().nonnegative();

/** The trajectory as `agent/trajectory.ts` records it (read leniently: blocks of unknown kinds are shown as JSON). */
export const trajectoryViewSchema = z.array(z.object({
  turn: z.number().int(),
  atMs: z.number(),
  request: z.object({ messages: z.number(), nudge: z.boolean() }),
  response: z.object({
    stopReason: z.string().nullable(),
    content: z.array(z.unknown()),
    usage: z.object({
      input_tokens: tokens,
      output_tokens: tokens,
      cache_creation_input_tokens: tokens.nullish(),
      cache_read_input_tokens: tokens.nullish(),
    }),
    durationMs: z.number(),
  }).optional(),
  tools: z.array(z.object({
    toolUseId: z.string(),
    name: z.string(),
    input: z.unknown(),
    output: z.string(),
    isError: z.boolean(),
    truncated: z.boolean(),
    durationMs: z.number(),
  })),
  error: z.string().optional(),
}));

type Entry = z.infer<typeof trajectoryViewSchema>[number];
type Trace = Entry["tools"][number];

const textBlock = z.object({ type: z.literal("text"), text: z.string() });
const toolUseBlock = z.object({ type: z.literal("tool_use"), id: z.string(), name: z.string() });

/** `text` in a `<pre>`, folded when long; `label` names it. */
function folded(label: string, text: string): Html {
  const lines = text.split("\n").length;
  const long = text.length > FOLD_CHARS || lines > FOLD_LINES;
  return html`
    <details class="fold" ${long ? "" : html`
      open
    `}>
      <summary>${label}: ${count(lines)} lines, ${count(text.length)} characters${long
        ? " (folded)"
        : ""}</summary>
      <pre tabindex="0">${text}</pre>
    </details>
  `;
}

function toolCall(trace: Trace, index: number): Html {
  const input = JSON.stringify(trace.input, null, 2) ?? "";
  return html`<article class="tool" data-tool="${trace.name}" data-tool-use-id="${trace.toolUseId}">
<h4>Tool call ${index}: <code>${trace.name}</code>${trace.isError ? " — error" : ""}${
    trace.truncated ? " — output cut" : ""
  }</h4>
<p class="meta">Took ${duration(trace.durationMs)} · input ≈ ${
    count(estimatedTokens(input))
  } tokens · result ≈ ${count(estimatedTokens(trace.output))} tokens</p>
${folded("Input", input)}
${folded(trace.isError ? "Error" : "Result", trace.output)}
</article>`;
}

function turn(entry: Entry, next: () => number): Html {
  const usage = entry.response?.usage;
  const traces = new Map(entry.tools.map((t) => [t.toolUseId, t]));
  const blocks = (entry.response?.content ?? []).map((block) => {
    const text = textBlock.safeParse(block);
    if (text.success) return html`<div class="said">${text.data.text}</div>`;
    const use = toolUseBlock.safeParse(block);
    if (use.success) {
      const trace = traces.get(use.data.id);
      traces.delete(use.data.id);
      return trace
        ? toolCall(trace, next())
        : html`<p class="none">Tool call <code>${use.data.name}</code> was not run.</p>`;
    }
    return folded("Other content", JSON.stringify(block, null, 2) ?? "");
  });
  return html`<section class="turn" aria-labelledby="turn-${entry.turn}">
<h3 id="turn-${entry.turn}">Model call ${entry.turn}</h3>
<p class="meta">At ${duration(entry.atMs)} · ${entry.request.messages} messages sent${
    entry.request.nudge ? " (with a reminder to submit)" : ""
  }${
    entry.response && usage
      ? html`
        · took ${duration(entry.response.durationMs)} · ${count(usage.input_tokens)} input, ${count(
          usage.output_tokens,
        )} output, ${count(usage.cache_read_input_tokens ?? 0)} cache-read, ${count(
          usage.cache_creation_input_tokens ?? 0,
        )} cache-write tokens · stop: ${entry.response.stopReason ?? "none"}
      `
      : ""
  }</p>
${entry.error ? html`<p class="error">The call failed: ${entry.error}</p>` : ""}
${blocks}${[...traces.values()].map((t) => toolCall(t, next()))}
</section>`;
}

/** The trajectory `raw` (as stored), or a note when it cannot be read. */
export function renderTrajectory(raw: unknown): Html {
  const parsed = trajectoryViewSchema.safeParse(raw);
  if (!parsed.success) {
    return html`<p class="error">The trajectory is not in the recorded shape; shown as JSON.</p>${
      folded("Trajectory", JSON.stringify(raw, null, 2) ?? "")
    }`;
  }
  if (parsed.data.length === 0) return html`<p class="empty">No model calls were recorded.</p>`;
  let calls = 0;
  const toolCalls = parsed.data.reduce((sum, e) => sum + e.tools.length, 0);
  return html`<p>${parsed.data.length} model calls, ${toolCalls} tool calls.</p>${
    parsed.data.map((entry) => turn(entry, () => ++calls))
  }`;
}
