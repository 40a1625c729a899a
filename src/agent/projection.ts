/**
 * The budget check before each model call, with the next call's input projected from the loop's
 * estimate (~4 characters a token), or, when that estimate brings a cap near, counted by the API's
 * count-tokens endpoint, so that a rough estimate never lets a run pass its caps.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { BudgetStop } from "./budget.ts";
import { countInputTokens } from "./model_call.ts";
import { CANCELLED, type Stop } from "./outcome.ts";
import type { Run } from "./run_state.ts";

/**
 * Why the next model call may not start: cancelled, or over a budget for its worst case (input +
 * `run.maxTokens`). Sets `run.projection` to the input figure it checked with.
 */
export async function checkBeforeCall(run: Run): Promise<Stop | undefined> {
  const { budget, conversation, options } = run;
  if (options.signal?.aborted) return CANCELLED;
  conversation.elideOldToolOutputs();
  const estimate = conversation.estimatedInputTokens;
  run.projection = { inputTokens: estimate, by: "estimate" };
  const early = budget.checkCall(0, 0);
  if (early) return budgetStop(early);
  if (budget.isNearCap(budget.projectCall(estimate, run.maxTokens), options.budget.exactCountWithin)) {
    const counted = await countInputTokens(
      run.deps.messages,
      conversation.countRequest() as Anthropic.Messages.MessageCountTokensParams,
      {
        model: options.model,
        timeoutMs: budget.remainingMs(),
        cancel: options.signal,
        now: Date.now,
      },
    );
    if (typeof counted === "number") run.projection = { inputTokens: counted, by: "count_tokens" };
    else if (counted?.kind === "stop") return counted.stop;
  }
  return budgetStop(budget.checkCall(run.projection.inputTokens, run.maxTokens));
}

/** Why the next tool call may not start: cancelled, or out of wall clock. */
export function checkBeforeTool(run: Run): Stop | undefined {
  if (run.options.signal?.aborted) return CANCELLED;
  return budgetStop(run.budget.checkClock());
}

function budgetStop(stop: BudgetStop): Stop | undefined {
  return stop && { status: stop.kind, reason: stop.reason };
}
