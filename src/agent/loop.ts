/**
 * The agent's tool loop: call the model, run the tools it asks for through the
 * workbench, send the results back, until it submits its work or a budget,
 * the clock or the API ends the run.
 *
 * @module
 */
import Anthropic from "@anthropic-ai/sdk";
import { type BudgetLimits, createBudget, type ModelPrice, type UsageTotals } from "./budget.ts";
import { dispatchToolUse } from "./dispatch.ts";
import { type AgentEvent, summarizeToolCall } from "./events.ts";
import { buildTools, type Submission, SUBMIT_TOOL } from "./tools.ts";
import type { TrajectoryEntry } from "./trajectory.ts";
import type { Workbench } from "./workbench.ts";

type MessageParam = Anthropic.Messages.UserMessageParam | Anthropic.Messages.AssistantMessageParam;

/** Default cap on the characters of one tool output sent back to the model. */
export const DEFAULT_MAX_TOOL_OUTPUT_CHARS = 20_000;

/** The reminder sent, once, when the model ends its turn without calling `submit_work`. */
export const NUDGE_TEXT =
  `You ended your turn without calling ${SUBMIT_TOOL}. The run only ends when you call ` +
  `${SUBMIT_TOOL}. If the work is done and the tests pass, call it now; otherwise keep working with the tools.`;

const EPHEMERAL = { type: "ephemeral" } as const;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What {@link runAgent} works with; all injected by the composition root. */
export interface AgentDeps {
  /** The Messages API, normally `new Anthropic(...).messages`; its own retries apply. */
  messages: Pick<Anthropic["messages"], "create">;
  /** Executes the tools, normally inside the job's sandbox. */
  workbench: Workbench;
  /** Milliseconds since an epoch. Default: `Date.now`. */
  clock?: () => number;
}

/** Options of one run. */
export interface RunAgentOptions {
  model: string;
  /** The system prompt (see `buildSystemPrompt`). */
  system: string;
  /** The first user message (see `buildTaskPrompt`). */
  task: string;
  budget: BudgetLimits;
  /** Called with progress events; it must not throw. */
  onEvent?: (event: AgentEvent) => void;
  /** Cap on one tool output, in characters. Default: {@link DEFAULT_MAX_TOOL_OUTPUT_CHARS}. */
  maxToolOutputChars?: number;
  /** Price overrides merged over the budget's default table. */
  prices?: Readonly<Record<string, ModelPrice>>;
  /**
   * Checks a valid submission (e.g. runs the tests). A rejection's `feedback`
   * goes back to the model as the `submit_work` tool error and the run goes on,
   * at most {@link maxVerifyRetries} times. Default: every submission is accepted.
   */
  verify?: (submission: Submission) => Promise<Verdict>;
  /** Rejected submissions the model may follow up on before the run ends `tests_failed`. Default 2. */
  maxVerifyRetries?: number;
  /** Once the conversation passes this many characters, old tool outputs are elided. Default 400 000. */
  elideAfterChars?: number;
  /** Aborting ends the run with `cancelled` before the next model or tool call (and aborts a call in flight). */
  signal?: AbortSignal;
}

/**
 * What {@link RunAgentOptions.verify} decides about one submission. A rejection with `notice: true` tells
 * the model something it may act on before its work is accepted; it does not count against
 * {@link RunAgentOptions.maxVerifyRetries} (the verifier must not give the same notice twice).
 */
export type Verdict = { ok: true } | { ok: false; feedback: string; summary: string; notice?: boolean };

/** What every outcome carries. */
export interface RunRecord {
  usage: UsageTotals;
  /** Model calls made. */
  turns: number;
  trajectory: TrajectoryEntry[];
}

/** How a run can end without a submission. */
export type StopStatus = "budget_exceeded" | "timeout" | "model_error" | "no_submission" | "cancelled";

/** How a run ended. Every status but `submitted` carries a human-readable `reason`. */
export type AgentOutcome =
  | ({ status: "submitted"; submission: Submission } & RunRecord)
  | ({ status: "tests_failed"; submission: Submission; reason: string } & RunRecord)
  | ({ status: StopStatus; reason: string } & RunRecord);

type Stop = { status: "timeout" | "model_error" | "cancelled"; reason: string };

const CANCELLED: Stop = { status: "cancelled", reason: "The job was cancelled" };

function describeModelFailure(error: unknown, signal: AbortSignal | undefined): Stop {
  if (signal?.aborted) return CANCELLED;
  if (error instanceof Anthropic.APIUserAbortError) {
    return { status: "timeout", reason: "Wall-clock budget ran out while waiting for the model" };
  }
  if (error instanceof Anthropic.APIError) {
    const parts = [
      "Model call failed",
      error.status ? ` with HTTP ${error.status}` : "",
      error.type ? ` (${error.type})` : "",
      `: ${error.apiMessage ?? error.message}`,
      error.requestID ? ` [request-id ${error.requestID}]` : "",
    ];
    return { status: "model_error", reason: parts.join("") };
  }
  if (error instanceof Anthropic.AnthropicError) {
    return { status: "model_error", reason: `Model call failed: ${error.message}` };
  }
  throw error;
}

/** A copy of `messages` whose last block carries a cache breakpoint, so each turn reuses the previous prefix. */
function withMovingBreakpoint(messages: MessageParam[]): MessageParam[] {
  const last = messages.at(-1);
  if (last === undefined || typeof last.content === "string" || last.content.length === 0) return messages;
  const blocks = [...last.content];
  const tail = blocks.length - 1;
  blocks[tail] = { ...blocks[tail], cache_control: EPHEMERAL } as (typeof blocks)[number];
  return [...messages.slice(0, -1), { ...last, content: blocks }];
}

async function callModel(
  api: AgentDeps["messages"],
  params: Anthropic.Messages.MessageCreateParamsNonStreaming,
  timeoutMs: number,
  cancel: AbortSignal | undefined,
): Promise<Anthropic.Messages.Message> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.min(Math.max(timeoutMs, 1), MAX_TIMER_MS));
  const onCancel = () => abort.abort();
  cancel?.addEventListener("abort", onCancel);
  try {
    return await api.create(params, { signal: abort.signal });
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener("abort", onCancel);
  }
}

const ELIDED = "[output elided to keep the conversation short; run the command again if you need it]";

/** Replaces the content of the oldest tool results (all but the last `keep` user messages) with a note. */
function elideOldToolResults(messages: MessageParam[], keep: number): number {
  let saved = 0;
  const limit = messages.length - keep;
  for (let i = 0; i < limit; i++) {
    const message = messages[i]!;
    if (message.role !== "user" || typeof message.content === "string") continue;
    message.content = message.content.map((block) => {
      if (block.type !== "tool_result" || block.content === ELIDED) return block;
      saved += JSON.stringify(block.content ?? "").length - ELIDED.length;
      return { ...block, content: ELIDED };
    });
  }
  return saved;
}

/**
 * Runs the backend-engineer agent until it calls `submit_work` with valid
 * input or something stops it.
 *
 * Every request carries cache breakpoints on the system prompt, on the last
 * tool and on the last message. Before each model call the budget is checked
 * against that call's worst case (estimated input + `max_tokens`); before each
 * tool call the wall clock is. A model that ends its turn without submitting
 * is reminded once, then the run ends with `no_submission`. API errors that
 * survive the SDK's own retries end the run with `model_error`.
 *
 * The loop sees no environment variables and puts nothing into the prompt
 * besides `options.system`, `options.task` and tool outputs.
 *
 * @throws {ConfigError} when the budget limits are invalid or the model has no price.
 * @throws whatever the workbench throws other than a `ToolError` (a broken sandbox).
 */
export async function runAgent(deps: AgentDeps, options: RunAgentOptions): Promise<AgentOutcome> {
  const clock = deps.clock ?? Date.now;
  const budget = createBudget(options.budget, { model: options.model, clock, prices: options.prices });
  const startedAt = clock();
  const maxOutputChars = options.maxToolOutputChars ?? DEFAULT_MAX_TOOL_OUTPUT_CHARS;
  const emit = options.onEvent ?? (() => {});

  const system: Anthropic.Messages.TextBlockParam[] = [
    { type: "text", text: options.system, cache_control: EPHEMERAL },
  ];
  const tools = buildTools().map((tool, i, all) =>
    i === all.length - 1 ? { ...tool, cache_control: EPHEMERAL } : tool
  );
  const fixedChars = JSON.stringify(system).length + JSON.stringify(tools).length;

  const messages: MessageParam[] = [];
  let conversationChars = 0;
  const push = (message: MessageParam) => {
    messages.push(message);
    conversationChars += JSON.stringify(message).length;
  };
  push({ role: "user", content: [{ type: "text", text: options.task }] });

  const trajectory: TrajectoryEntry[] = [];
  const end = (stop: { status: StopStatus; reason: string }): AgentOutcome => ({
    status: stop.status,
    reason: stop.reason,
    usage: budget.totals,
    turns: budget.turns,
    trajectory,
  });
  let nudged = false;
  let lastWasNudge = false;
  let rejections = 0;
  const maxVerifyRetries = options.maxVerifyRetries ?? 2;
  const elideAfter = options.elideAfterChars ?? 400_000;

  while (true) {
    if (options.signal?.aborted) return end(CANCELLED);
    if (conversationChars > elideAfter) conversationChars -= elideOldToolResults(messages, 4);
    const estimatedInputTokens = Math.ceil((fixedChars + conversationChars) / 4);
    const stop = budget.checkCall(estimatedInputTokens);
    if (stop) return end({ status: stop.kind, reason: stop.reason });

    budget.startTurn();
    const turn = budget.turns;
    emit({ type: "turn_started", turn, maxTurns: options.budget.maxTurns });
    const entry: TrajectoryEntry = {
      turn,
      atMs: clock() - startedAt,
      request: {
        messages: messages.length,
        maxTokens: options.budget.maxOutputTokensPerCall,
        estimatedInputTokens,
        nudge: lastWasNudge,
      },
      tools: [],
    };
    trajectory.push(entry);

    const callStarted = clock();
    let response: Anthropic.Messages.Message;
    try {
      response = await callModel(
        deps.messages,
        {
          model: options.model,
          max_tokens: options.budget.maxOutputTokensPerCall,
          system,
          tools,
          messages: withMovingBreakpoint(messages),
        },
        budget.remainingMs(),
        options.signal,
      );
    } catch (error) {
      const failure = describeModelFailure(error, options.signal);
      entry.error = failure.reason;
      return end(failure);
    }
    const usage = budget.record(response.id, response.usage);
    entry.response = {
      id: response.id,
      stopReason: response.stop_reason,
      content: response.content,
      usage: response.usage,
      durationMs: clock() - callStarted,
    };
    emit({ type: "usage", turn, usage });
    push({ role: "assistant", content: response.content });

    const toolUses = response.content.filter((block): block is Anthropic.Messages.ToolUseBlock =>
      block.type === "tool_use"
    );
    if (toolUses.length === 0) {
      if (nudged) {
        return end({
          status: "no_submission",
          reason: `The model ended its turn (stop_reason ${response.stop_reason}) without calling ` +
            `${SUBMIT_TOOL}, even after a reminder`,
        });
      }
      nudged = true;
      lastWasNudge = true;
      push({ role: "user", content: [{ type: "text", text: NUDGE_TEXT }] });
      continue;
    }

    lastWasNudge = false;
    const results: Anthropic.Messages.ToolResultBlockParam[] = [];
    for (const block of toolUses) {
      if (options.signal?.aborted) return end(CANCELLED);
      const late = budget.checkClock();
      if (late) return end({ status: late.kind, reason: late.reason });
      emit({
        type: "tool_call",
        turn,
        name: block.name,
        summary: summarizeToolCall(block.name, block.input),
      });
      const done = await dispatchToolUse(block, deps.workbench, { maxOutputChars, clock });
      entry.tools.push(done.trace);
      emit({
        type: "tool_result",
        turn,
        name: block.name,
        isError: done.trace.isError,
        durationMs: done.trace.durationMs,
      });
      if (done.submission) {
        const verdict = options.verify ? await options.verify(done.submission) : { ok: true as const };
        if (verdict.ok) {
          return { status: "submitted", submission: done.submission, usage, turns: turn, trajectory };
        }
        if (!verdict.notice) rejections += 1;
        done.trace.isError = true;
        if (rejections > maxVerifyRetries) {
          return {
            status: "tests_failed",
            submission: done.submission,
            reason: verdict.summary,
            usage,
            turns: turn,
            trajectory,
          };
        }
        results.push({
          type: "tool_result",
          tool_use_id: block.id,
          is_error: true,
          content: verdict.feedback,
        });
        continue;
      }
      results.push(done.result);
    }
    push({ role: "user", content: results });
  }
}
