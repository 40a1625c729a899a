/** Settings the pipeline needs, from config. */
import type { BudgetLimits, ModelPrice } from "../agent/budget.ts";
import type { CommandPolicyMode } from "../sandbox/command_policy.ts";
import type { SnapshotCaps } from "./base_snapshot.ts";
import type { DiffPolicy } from "./diff_policy.ts";
import type { BoardColumns } from "./work_item_progress.ts";
import type { OpsWaitSettings } from "./ops_first.ts";

/** What happens when the tests still fail after the retries (`PR_ON_FAILING_TESTS`). */
export const ON_FAILING_TESTS = ["draft", "none"] as const;

/** One of {@link ON_FAILING_TESTS}. */
export type OnFailingTests = typeof ON_FAILING_TESTS[number];

/** How the pipeline behaves; every field comes from config. */
export interface PipelineSettings {
  model: string;
  /** The model's price, by its id (`MODEL_PRICES` or the provider's table, found at start-up). */
  prices: Readonly<Record<string, ModelPrice>>;
  budget: BudgetLimits;
  /** Shell command that runs the repo's tests in /workspace. */
  testCommand: string;
  /** Timeout of one test run, ms. */
  testTimeoutMs: number;
  /** Rejected submissions (failing tests, unmapped criteria) the model may follow up on. */
  maxVerifyRetries: number;
  /** Cap on one tool output the model sees, in characters (`TOOL_OUTPUT_MAX_CHARS`). */
  maxToolOutputChars: number;
  /** Past this many characters of conversation, old tool outputs are elided (`CONTEXT_ELIDE_AFTER_CHARS`). */
  elideAfterChars: number;
  /** When the tests still fail: open the PR as a draft showing the failure, or open none. */
  onFailingTests: OnFailingTests;
  /** Open pull requests as drafts. */
  draft: boolean;
  /** Command policy of the model's bash tool. */
  commandPolicy: CommandPolicyMode;
  diffPolicy: DiffPolicy;
  snapshot: SnapshotCaps;
  /** The board's columns a work item moves to (`PROJECT_STATUS_*`). */
  board: BoardColumns;
  /** Where people reach the API (`API_PUBLIC_URL`): progress comments link to the job there. */
  publicUrl?: string;
  /** How long `[dev]` work items wait for `[ops]` sub-issues when the parent puts `[ops]` first. */
  opsWait: OpsWaitSettings;
}
