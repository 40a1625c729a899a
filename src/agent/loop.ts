/**
 * The agent's tool loop: call the model, run the tools it asks for through the
 * workbench, send the results back, until it submits its work or a budget,
 * the clock or the API ends the run.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import { createBudget } from "./budget.ts";
import { Conversation } from "./conversation.ts";
import { type Dispatched, dispatchToolUse } from "./dispatch.ts";
import { summarizeToolCall } from "./events.ts";
import { askModel, RETRY } from "./model_turn.ts";
import { nudge } from "./nudge.ts";
import type { AgentOutcome, RunEnd } from "./outcome.ts";
import { checkBeforeCall, checkBeforeTool } from "./projection.ts";
import type { AgentDeps, Run, RunAgentOptions } from "./run_state.ts";
import { SubmissionReview } from "./submission_review.ts";
import { buildTools } from "./tools.ts";

export type { Verdict } from "./submission_review.ts";
export type { AgentDeps, RunAgentOptions } from "./run_state.ts";

/**
 * Runs the backend-engineer agent until it calls `submit_work` with valid
 * input or something stops it.
 *
 * Before each model call the budget is checked against that call's worst case
 * (input + `max_tokens`; the input counted by the API near a cap, see `checkBeforeCall`); before
 * each tool call the wall clock is. A model that ends its turn without submitting is reminded once,
 * then the run ends with `no_submission`. The Messages API's hard cases (a tool call cut off at
 * `max_tokens`, a refusal, a context-window overflow, a request over the byte limit, rate limits,
 * API errors that outlast the SDK's retries, an unknown model) are handled in `askModel`. Prompt
 * caching and elision: see {@link Conversation}.
 *
 * The loop sees no environment variables and puts nothing into the prompt
 * besides `options.system`, `options.task` and tool outputs.
 *
 * @throws {ConfigError} when the budget limits are invalid or the model has no price.
 * @throws whatever the workbench throws other than a `ToolError` (a broken sandbox).
 */
export async function runAgent(deps: AgentDeps, options: RunAgentOptions): Promise<AgentOutcome> {
  const run = startRun(deps, options);
  while (true) {
    const blocked = await checkBeforeCall(run);
    if (blocked) return finish(run, blocked);
    const answer = await askModel(run);
    if (answer === RETRY) continue;
    if ("status" in answer) return finish(run, answer);
    const toolUses = answer.content.filter(isToolUse);
    const end = toolUses.length === 0
      ? nudge(run.conversation, answer.stop_reason)
      : await runTools(run, toolUses);
    if (end) return finish(run, end);
  }
}

function startRun(deps: AgentDeps, options: RunAgentOptions): Run {
  const clock = deps.clock ?? Date.now;
  const budget = createBudget(options.budget, { model: options.model, clock, prices: options.prices });
  return {
    deps,
    options,
    clock,
    startedAt: clock(),
    budget,
    conversation: new Conversation({
      model: options.model,
      maxTokens: options.budget.maxOutputTokensPerCall,
      system: options.system,
      task: options.task,
      tools: buildTools(),
      elideAfterChars: options.elideAfterChars,
      ...(options.trajectory ? { trajectory: options.trajectory } : {}),
    }),
    review: new SubmissionReview(options.verify, options.maxVerifyRetries),
    emit: options.onEvent ?? (() => {}),
    maxTokens: options.budget.maxOutputTokensPerCall,
    compactions: 0,
    projection: { inputTokens: 0, by: "estimate" },
  };
}

/** Runs the tool calls of one answer in order and sends their results; or how the run ends. */
async function runTools(run: Run, toolUses: Anthropic.Messages.ToolUseBlock[]): Promise<RunEnd | undefined> {
  const results: Anthropic.Messages.ToolResultBlockParam[] = [];
  for (const block of toolUses) {
    const stop = checkBeforeTool(run);
    if (stop) return stop;
    const done = await runTool(run, block);
    const answer = done.submission ? await run.review.review(done.submission, done) : done.result;
    if ("status" in answer) return answer;
    results.push(answer);
  }
  run.conversation.addToolResults(results);
  return undefined;
}

async function runTool(run: Run, block: Anthropic.Messages.ToolUseBlock): Promise<Dispatched> {
  const turn = run.budget.turns;
  run.emit({
    type: "tool_call",
    turn,
    name: block.name,
    summary: summarizeToolCall(block.name, block.input),
  });
  const done = await dispatchToolUse(block, run.deps.workbench, {
    maxOutputChars: run.options.maxToolOutputChars,
    clock: run.clock,
  });
  run.conversation.recordTool(done.trace);
  // The failed call is in the trajectory; now the run ends with its error.
  if (done.failure) throw done.failure.error;
  const { isError, durationMs } = done.trace;
  run.emit({ type: "tool_result", turn, name: block.name, isError, durationMs });
  return done;
}

function finish(run: Run, end: RunEnd): AgentOutcome {
  return {
    ...end,
    usage: run.budget.totals,
    turns: run.budget.turns,
    trajectory: run.conversation.trajectory,
  };
}

function isToolUse(block: Anthropic.Messages.ContentBlock): block is Anthropic.Messages.ToolUseBlock {
  return block.type === "tool_use";
}
