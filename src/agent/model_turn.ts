/**
 * One model call of the loop and what its answer means: a usable answer; a stop; or a retry after the
 * loop got past one of the Messages API's hard cases (a tool call cut off at `max_tokens`, a
 * context-window overflow, a request over the byte limit, a rate limit). Each recovery is reported as
 * a `recovery` event and kept in the trajectory.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { RecoveryAction } from "../contracts/model_recovery.ts";
import type { CallUsage } from "../contracts/usage.ts";
import { callModel } from "./model_call.ts";
import type { ModelFailure } from "./model_failure.ts";
import { CANCELLED, type Stop } from "./outcome.ts";
import { sleepUnlessAborted } from "../sleep_unless_aborted.ts";
import type { Run } from "./run_state.ts";

/** The model call is to be made again (after a recovery); the main loop checks the budget first. */
export const RETRY = Symbol("retry");

/** How long a 429 that names no wait is waited out, in milliseconds. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 5_000;

/** What the model is told when its tool call is still cut off at the cap. */
export function splitText(maxTokens: number): string {
  return `Not run: your answer was cut off at max_tokens (${maxTokens} tokens, the most this run allows) ` +
    `inside this tool call, so its input is incomplete. Make the change in smaller steps: write a large ` +
    `file in parts (create it with the first part, then add the rest with str_replace or insert calls), ` +
    `or edit one function at a time.`;
}

/** Makes the next model call and counts its usage; returns the answer to act on, a stop, or {@link RETRY}. */
export async function askModel(run: Run): Promise<Anthropic.Messages.Message | Stop | typeof RETRY> {
  const { budget, clock, conversation, options } = run;
  budget.startTurn();
  run.emit({ type: "turn_started", turn: budget.turns, maxTurns: options.budget.maxTurns });
  conversation.beginTurn(budget.turns, clock() - run.startedAt, run.maxTokens, run.projection);
  const started = clock();
  const answer = await callModel(run.deps.messages, conversation.request(run.maxTokens), {
    model: options.model,
    timeoutMs: budget.remainingMs(),
    cancel: options.signal,
    now: Date.now,
  });
  if ("kind" in answer) return recoverFromFailure(run, answer);
  const usage = budget.record(answer.id, answer.usage);
  run.emit({ type: "usage", turn: budget.turns, usage, call: callUsage(run, answer.usage) });
  return readAnswer(run, answer, clock() - started);
}

/** What the answer's `stop_reason` means for the run. */
function readAnswer(
  run: Run,
  answer: Anthropic.Messages.Message,
  durationMs: number,
): Anthropic.Messages.Message | Stop | typeof RETRY {
  const { conversation } = run;
  if (answer.stop_reason === "refusal") {
    conversation.recordResponse(answer, durationMs);
    return {
      status: "model_refused",
      reason: `The model declined to continue (stop_reason "refusal") at model call ${run.budget.turns}; ` +
        `its answer is kept in the trajectory`,
    };
  }
  if (answer.stop_reason === "model_context_window_exceeded") {
    conversation.recordResponse(answer, durationMs);
    return compactOrEnd(
      run,
      `The answer filled the model's context window (stop_reason "model_context_window_exceeded")`,
    );
  }
  if (answer.stop_reason === "max_tokens" && answer.content.at(-1)?.type === "tool_use") {
    return raiseOrSplit(run, answer, durationMs);
  }
  run.maxTokens = run.options.budget.maxOutputTokensPerCall;
  conversation.addResponse(answer, durationMs);
  return answer;
}

/**
 * A tool call cut off at `max_tokens` is never run: the turn is retried with twice the limit up to
 * the cap (the cut answer kept in the trajectory only); at the cap, the answer is kept and each of its
 * tool calls is answered with an error asking the model to split the change.
 */
function raiseOrSplit(run: Run, answer: Anthropic.Messages.Message, durationMs: number): typeof RETRY {
  const { conversation, options } = run;
  const base = options.budget.maxOutputTokensPerCall;
  const cap = Math.max(options.budget.maxOutputTokensCap, base);
  const cut = answer.content.at(-1) as Anthropic.Messages.ToolUseBlock;
  if (run.maxTokens < cap) {
    const next = Math.min(cap, run.maxTokens * 2);
    conversation.recordResponse(answer, durationMs);
    recovered(
      run,
      "output_raised",
      `A ${cut.name} tool call was cut off at max_tokens ${run.maxTokens}; the turn is retried with max_tokens ${next}`,
    );
    run.maxTokens = next;
    return RETRY;
  }
  run.maxTokens = base;
  conversation.addResponse(answer, durationMs);
  const text = splitText(cap);
  const uses = answer.content.filter((block): block is Anthropic.Messages.ToolUseBlock =>
    block.type === "tool_use"
  );
  for (const use of uses) {
    conversation.recordTool({
      toolUseId: use.id,
      name: use.name,
      input: use.input,
      output: text,
      isError: true,
      truncated: false,
      durationMs: 0,
    });
  }
  conversation.addToolResults(uses.map((use) => ({
    type: "tool_result",
    tool_use_id: use.id,
    is_error: true,
    content: text,
  })));
  recovered(
    run,
    "split_asked",
    `A ${cut.name} tool call was cut off at max_tokens ${cap}, the cap; it was not run and the model was asked to split the change`,
  );
  return RETRY;
}

/** What a failed call means: a stop, or a retry after compacting, cutting or waiting. */
async function recoverFromFailure(run: Run, failure: ModelFailure): Promise<Stop | typeof RETRY> {
  const { conversation, budget, options } = run;
  if (failure.kind === "stop") {
    conversation.recordError(failure.stop.reason);
    return failure.stop;
  }
  conversation.recordError(failure.detail);
  if (failure.kind === "context_overflow") {
    return compactOrEnd(run, `The prompt is too long: ${failure.detail}`);
  }
  if (failure.kind === "request_too_large") {
    const cut = conversation.cutLargestToolOutput();
    if (cut === undefined) {
      return {
        status: "model_error",
        reason:
          `The request is over the API's size limit and no tool output is left to cut: ${failure.detail}`,
      };
    }
    recovered(
      run,
      "tool_output_cut",
      `The request is over the API's size limit (${failure.detail}); the tool output of ${cut.toolUseId} ` +
        `was cut from ${cut.beforeChars} to ${cut.afterChars} characters and the turn is retried`,
    );
    return RETRY;
  }
  const waitMs = failure.waitMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
  const left = budget.remainingMs();
  if (waitMs >= left) {
    return {
      status: "timeout",
      reason: `Rate limited by the model API for ${waitMs} ms, more than the ${left} ms left of the ` +
        `wall-clock budget: ${failure.detail}`,
    };
  }
  recovered(run, "rate_limited", `Rate limited (${failure.detail}); waiting ${waitMs} ms before retrying`);
  return await sleepUnlessAborted(waitMs, options.signal) ? RETRY : CANCELLED;
}

/**
 * A context-window overflow: the first one compacts the conversation (old tool outputs cleared, the
 * task and the latest exchange kept) and retries; a second one, or one with nothing left to clear,
 * ends the run `context_exhausted`.
 */
function compactOrEnd(run: Run, detail: string): Stop | typeof RETRY {
  const { conversation } = run;
  if (run.compactions > 0) {
    return {
      status: "context_exhausted",
      reason: `${detail}, again after the conversation was compacted`,
    };
  }
  const before = conversation.estimatedInputTokens;
  const cleared = conversation.compact();
  if (cleared === 0) {
    return { status: "context_exhausted", reason: `${detail}, and no old tool output is left to clear` };
  }
  run.compactions += 1;
  run.maxTokens = run.options.budget.maxOutputTokensPerCall;
  recovered(
    run,
    "context_compacted",
    `${detail}; the conversation was compacted: ${cleared} old tool outputs and inputs cleared ` +
      `(~${before} → ~${conversation.estimatedInputTokens} tokens estimated), the task and the latest exchange kept`,
  );
  return RETRY;
}

function recovered(run: Run, action: RecoveryAction, detail: string): void {
  run.emit({ type: "recovery", turn: run.budget.turns, action, detail });
}

/** The call's projected worst case (as checked before it) and its actual figures. */
function callUsage(run: Run, usage: Anthropic.Messages.Usage): CallUsage {
  const { inputTokens, by } = run.projection;
  return {
    projected: {
      inputTokens,
      outputTokens: run.maxTokens,
      costUsd: run.budget.projectCall(inputTokens, run.maxTokens).usd,
      by,
    },
    actual: {
      inputTokens: usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) +
        (usage.cache_read_input_tokens ?? 0),
      outputTokens: usage.output_tokens,
      costUsd: run.budget.costOf(usage),
    },
  };
}
