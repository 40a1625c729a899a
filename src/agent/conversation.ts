/**
 * The conversation of one agent run: the messages sent to the model, the
 * prompt-cache marks on each request, the elision of old tool outputs, and
 * the trajectory entry of each model call.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import { compactMessages, type Cut, cutLargestToolOutput, type MessageParam } from "./conversation_trim.ts";
import type { ToolTrace, TrajectoryEntry } from "./trajectory.ts";

const EPHEMERAL = { type: "ephemeral" } as const;
const ELIDED = "[output elided to keep the conversation short; run the command again if you need it]";
/** Messages at the end of the conversation whose tool outputs are never elided. */
const KEEP_RECENT_MESSAGES = 4;

/** What a {@link Conversation} is built from. */
export interface ConversationOptions {
  model: string;
  /** `max_tokens` of a request unless the loop raises it for one call. */
  maxTokens: number;
  /** The system prompt. */
  system: string;
  /** The first user message. */
  task: string;
  /** The tools of every request (see `buildTools`); the last one gets a cache mark. */
  tools: Anthropic.Messages.ToolUnion[];
  /** Once the messages pass this many characters (as JSON), old tool outputs are elided. */
  elideAfterChars: number;
  /**
   * The list the trajectory is written to as the run goes, so its owner keeps it however the run
   * ends. Default: a new one.
   */
  trajectory?: TrajectoryEntry[];
}

/**
 * One run's conversation. Every request carries cache breakpoints on the
 * system prompt, on the last tool and on the last message, so each turn reuses
 * the previous turn's prefix. Sizes are counted in characters of JSON, and
 * tokens are estimated at four characters each.
 */
export class Conversation {
  /** One entry per model call, oldest first; the last one is the call in progress. */
  readonly trajectory: TrajectoryEntry[];
  readonly #options: ConversationOptions;
  readonly #system: Anthropic.Messages.TextBlockParam[];
  readonly #tools: Anthropic.Messages.ToolUnion[];
  readonly #fixedChars: number;
  readonly #messages: MessageParam[] = [];
  #chars = 0;
  #nudged = false;
  #endsWithNudge = false;

  constructor(options: ConversationOptions) {
    this.#options = options;
    this.trajectory = options.trajectory ?? [];
    this.#system = [{ type: "text", text: options.system, cache_control: EPHEMERAL }];
    this.#tools = options.tools.map((tool, i, all) =>
      i === all.length - 1 ? { ...tool, cache_control: EPHEMERAL } : tool
    );
    this.#fixedChars = JSON.stringify(this.#system).length + JSON.stringify(this.#tools).length;
    this.#push({ role: "user", content: [{ type: "text", text: options.task }] });
  }

  /** The input tokens the next request is estimated at (system, tools and messages). */
  get estimatedInputTokens(): number {
    return Math.ceil((this.#fixedChars + this.#chars) / 4);
  }

  /** True once the model has been reminded to submit. */
  get nudged(): boolean {
    return this.#nudged;
  }

  /** Once past `elideAfterChars`, replaces the outputs of all but the most recent tool results with a note. */
  elideOldToolOutputs(): void {
    if (this.#chars <= this.#options.elideAfterChars) return;
    const limit = this.#messages.length - KEEP_RECENT_MESSAGES;
    for (const message of this.#messages.slice(0, Math.max(limit, 0))) {
      if (message.role !== "user" || typeof message.content === "string") continue;
      message.content = message.content.map((block) => {
        if (block.type !== "tool_result" || block.content === ELIDED) return block;
        this.#chars -= JSON.stringify(block.content ?? "").length - ELIDED.length;
        return { ...block, content: ELIDED };
      });
    }
  }

  /**
   * Clears old tool outputs and old long tool inputs to fit the context window, keeping the task and
   * the latest exchange (see `compactMessages`). Returns how many were cleared.
   */
  compact(): number {
    const cleared = compactMessages(this.#messages);
    this.#recount();
    return cleared;
  }

  /** Cuts the largest tool output to half (see `cutLargestToolOutput`); `undefined` when none is large. */
  cutLargestToolOutput(): Cut | undefined {
    const cut = cutLargestToolOutput(this.#messages);
    this.#recount();
    return cut;
  }

  /**
   * Opens the trajectory entry of model call `turn`, which starts `atMs` after the run did with
   * `maxTokens` (default: the configured one) and `projection` (how the budget saw its input).
   */
  beginTurn(
    turn: number,
    atMs: number,
    maxTokens = this.#options.maxTokens,
    projection?: TrajectoryEntry["request"]["projection"],
  ): void {
    this.trajectory.push({
      turn,
      atMs,
      request: {
        messages: this.#messages.length,
        maxTokens,
        estimatedInputTokens: this.estimatedInputTokens,
        nudge: this.#endsWithNudge,
        ...(projection ? { projection } : {}),
      },
      tools: [],
    });
  }

  /** The next request with `maxTokens` (default: the configured one), the moving cache breakpoint on its last block. */
  request(maxTokens = this.#options.maxTokens): Anthropic.Messages.MessageCreateParamsNonStreaming {
    return { max_tokens: maxTokens, ...this.countRequest() };
  }

  /** The next request as the count-tokens endpoint takes it (no `max_tokens`). */
  countRequest(): Anthropic.Messages.MessageCountTokensParams & { model: string } {
    return {
      model: this.#options.model,
      system: this.#system,
      tools: this.#tools,
      messages: this.#withMovingBreakpoint(),
    };
  }

  /** Records a failed model call in its trajectory entry. */
  recordError(reason: string): void {
    this.#entry().error = reason;
  }

  /** Adds the model's answer, which took `durationMs`, to the messages and to its trajectory entry. */
  addResponse(response: Anthropic.Messages.Message, durationMs: number): void {
    this.recordResponse(response, durationMs);
    this.#push({ role: "assistant", content: response.content });
  }

  /** Keeps an answer the conversation drops (cut off, overflowed) in its trajectory entry only. */
  recordResponse(response: Anthropic.Messages.Message, durationMs: number): void {
    this.#entry().response = {
      id: response.id,
      stopReason: response.stop_reason,
      content: response.content,
      usage: response.usage,
      durationMs,
    };
  }

  /** Records one tool call of the current model call. */
  recordTool(trace: ToolTrace): void {
    this.#entry().tools.push(trace);
  }

  /** Adds the answers to the tool calls of the model's last message. */
  addToolResults(results: Anthropic.Messages.ToolResultBlockParam[]): void {
    this.#push({ role: "user", content: results });
  }

  /** Adds the reminder to call the submit tool; the next trajectory entry is marked as a nudge. */
  addNudge(text: string): void {
    this.#push({ role: "user", content: [{ type: "text", text }] });
    this.#nudged = true;
    this.#endsWithNudge = true;
  }

  #push(message: MessageParam): void {
    this.#messages.push(message);
    this.#chars += JSON.stringify(message).length;
    this.#endsWithNudge = false;
  }

  #recount(): void {
    this.#chars = this.#messages.reduce((sum, message) => sum + JSON.stringify(message).length, 0);
  }

  #entry(): TrajectoryEntry {
    const entry = this.trajectory.at(-1);
    if (entry === undefined) throw new Error("No model call has begun in this conversation");
    return entry;
  }

  /** A copy of the messages whose last block carries a cache breakpoint. */
  #withMovingBreakpoint(): MessageParam[] {
    const messages = this.#messages;
    const last = messages.at(-1);
    if (last === undefined || typeof last.content === "string" || last.content.length === 0) return messages;
    const blocks = [...last.content];
    const tail = blocks.length - 1;
    blocks[tail] = { ...blocks[tail], cache_control: EPHEMERAL } as (typeof blocks)[number];
    return [...messages.slice(0, -1), { ...last, content: blocks }];
  }
}
