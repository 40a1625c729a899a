/**
 * What one agent run works with and the state its steps share: the injected dependencies, the run's
 * options, and the state the loop's steps (model turn, budget projection, tool calls) read and move.
 *
 * @module
 */
import type { Budget, BudgetLimits, ModelPrice } from "./budget.ts";
import type { Conversation } from "./conversation.ts";
import type { AgentEvent } from "./events.ts";
import type { MessagesApi } from "./model_call.ts";
import type { SubmissionReview, Verify } from "./submission_review.ts";
import type { TrajectoryEntry } from "./trajectory.ts";
import type { Workbench } from "./workbench.ts";

/** What `runAgent` works with; all injected by the composition root. */
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
  /** Aborting ends the run with `cancelled` before the next model or tool call (and aborts a call or a wait in flight). */
  signal?: AbortSignal;
  /**
   * The list the run writes its trajectory to as it goes, one entry per model call: its owner keeps
   * it whatever way the run ends, a thrown error included. Default: a new one (see the outcome's).
   */
  trajectory?: TrajectoryEntry[];
}

/** How the budget saw the next call's input: the loop's estimate, or the count-tokens endpoint's count. */
export interface InputProjection {
  inputTokens: number;
  by: "estimate" | "count_tokens";
}

/** The state of one run, shared by its steps. */
export interface Run {
  readonly deps: AgentDeps;
  readonly options: RunAgentOptions;
  readonly clock: () => number;
  readonly startedAt: number;
  readonly budget: Budget;
  readonly conversation: Conversation;
  readonly review: SubmissionReview;
  readonly emit: (event: AgentEvent) => void;
  /** `max_tokens` of the next call: raised while a cut-off tool call is retried. */
  maxTokens: number;
  /** Times the conversation was compacted after a context-window overflow. */
  compactions: number;
  /** How the budget saw the next call's input. */
  projection: InputProjection;
}
