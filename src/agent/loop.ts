/**
 * The agent's tool loop: call the model, run the tools it asks for through the
 * workbench, send the results back, until it submits its work or a budget,
 * the clock or the API ends the run.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import { type Budget, type BudgetLimits, type BudgetStop, createBudget, type ModelPrice } from "./budget.ts";
import { Conversation } from "./conversation.ts";
import { type Dispatched, dispatchToolUse } from "./dispatch.ts";
import { type AgentEvent, summarizeToolCall } from "./events.ts";
import { callModel, type MessagesApi } from "./model_call.ts";
import { nudge } from "./nudge.ts";
import { type AgentOutcome, CANCELLED, type RunEnd, type Stop } from "./outcome.ts";
import { SubmissionReview, type Verify } from "./submission_review.ts";
import { buildTools } from "./tools.ts";
import type { TrajectoryEntry } from "./trajectory.ts";
import type { Workbench } from "./workbench.ts";

export type { Verdict } from "./submission_review.ts";

/** What {@link runAgent} works with; all injected by the composition root. */
export interface AgentDeps {
  /** The Messages API, normally `new Anthropic(...).messages`; its own retries apply. */
  messages: MessagesApi;
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
  /** Cap on one tool output sent back to the model, in characters. */
  maxToolOutputChars: number;
  /** Price overrides merged over the budget's default table. */
  prices?: Readonly<Record<string, ModelPrice>>;
  /**
   * Checks a valid submission (e.g. runs the tests). A rejection's `feedback`
   * goes back to the model as the `submit_work` tool error and the run goes on,
   * at most {@link maxVerifyRetries} times; a `notice` rejection does not count
   * (see `Verdict`). Without it, every submission is accepted.
   */
  verify?: Verify;
  /** Rejected submissions the model may follow up on before the run ends `tests_failed`. */
  maxVerifyRetries: number;
  /** Once the conversation passes this many characters, old tool outputs are elided. */
  elideAfterChars: number;
  /** Aborting ends the run with `cancelled` before the next model or tool call (and aborts a call in flight). */
  signal?: AbortSignal;
  /**
   * The list the run writes its trajectory to as it goes, one entry per model call: its owner keeps
   * it whatever way the run ends, a thrown error included. Default: a new one (see the outcome's).
   */
  trajectory?: TrajectoryEntry[];
}

/** The state of one run, shared by its steps. */
interface Run {
  readonly deps: AgentDeps;
  readonly options: RunAgentOptions;
  readonly clock: () => number;
  readonly startedAt: number;
  readonly budget: Budget;
  readonly conversation: Conversation;
  readonly review: SubmissionReview;
  readonly emit: (event: AgentEvent) => void;
}

/**
 * Runs the backend-engineer agent until it calls `submit_work` with valid
 * input or something stops it.
 *
 * Before each model call the budget is checked against that call's worst case
 * (estimated input + `max_tokens`); before each tool call the wall clock is.
 * A model that ends its turn without submitting is reminded once, then the run
 * ends with `no_submission`. API errors that survive the SDK's own retries end
 * the run with `model_error`. Prompt caching and elision: see {@link Conversation}.
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
    const blocked = checkBeforeCall(run);
    if (blocked) return finish(run, blocked);
    const answer = await askModel(run);
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
  };
}

/** Why the next model call may not start: cancelled, or over a budget for its worst case. */
function checkBeforeCall(run: Run): Stop | undefined {
  if (run.options.signal?.aborted) return CANCELLED;
  run.conversation.elideOldToolOutputs();
  return budgetStop(run.budget.checkCall(run.conversation.estimatedInputTokens));
}

/** Why the next tool call may not start: cancelled, or out of wall clock. */
function checkBeforeTool(run: Run): Stop | undefined {
  if (run.options.signal?.aborted) return CANCELLED;
  return budgetStop(run.budget.checkClock());
}

function budgetStop(stop: BudgetStop): Stop | undefined {
  return stop && { status: stop.kind, reason: stop.reason };
}

/** Makes the next model call and counts its usage; or the stop its failure means. */
async function askModel(run: Run): Promise<Anthropic.Messages.Message | Stop> {
  const { budget, clock, conversation } = run;
  budget.startTurn();
  run.emit({ type: "turn_started", turn: budget.turns, maxTurns: run.options.budget.maxTurns });
  conversation.beginTurn(budget.turns, clock() - run.startedAt);
  const started = clock();
  const answer = await callModel(
    run.deps.messages,
    conversation.request(),
    budget.remainingMs(),
    run.options.signal,
  );
  if ("status" in answer) {
    conversation.recordError(answer.reason);
    return answer;
  }
  const usage = budget.record(answer.id, answer.usage);
  conversation.addResponse(answer, clock() - started);
  run.emit({ type: "usage", turn: budget.turns, usage });
  return answer;
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
