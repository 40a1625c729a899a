/** Settings the pipeline needs, from config. */
import type { BudgetLimits } from "../agent/budget.ts";
import type { SnapshotCaps } from "./base_snapshot.ts";
import type { DiffCaps } from "./diff_policy.ts";

/** How the pipeline behaves; every field comes from config. */
export interface PipelineSettings {
  model: string;
  budget: BudgetLimits;
  /** Shell command that runs the repo's tests in /workspace. */
  testCommand: string;
  /** Timeout of one test run, ms. */
  testTimeoutMs: number;
  /** Rejected submissions (failing tests, unmapped criteria) the model may follow up on. */
  maxVerifyRetries: number;
  /** When the tests still fail: open the PR as a draft showing the failure, or open none. */
  onFailingTests: "draft" | "none";
  /** Open pull requests as drafts. */
  draft: boolean;
  /** Command policy of the model's bash tool. */
  commandPolicy: "restricted" | "shell";
  diffPolicy: DiffCaps;
  snapshot: SnapshotCaps;
}
