/**
 * The verification run's result, one contract for every place it travels:
 * the sandbox runs it (`sandbox/test_run.ts`), the job record keeps its
 * summary (`jobs/job.ts`), the PR body shows it (`github/pull_request_body.ts`).
 */
import { z } from "zod";

/** The counts of a test run, as the job record and the PR show them. */
export const testSummarySchema = z.object({
  /** The shell command line that ran, e.g. `python3 -m pytest -q`. */
  command: z.string(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  exitCode: z.number().int().nullable().describe("Null when the run was killed (timeout)."),
});

/** {@link testSummarySchema}'s type. */
export type TestSummary = z.infer<typeof testSummarySchema>;

/** A whole run: the summary and the last lines of its output. */
export const testRunSchema = testSummarySchema.extend({
  /** The end of stdout and stderr, for the model's feedback and the PR. */
  tail: z.string(),
});

/** {@link testRunSchema}'s type. */
export type TestRun = z.infer<typeof testRunSchema>;

/** The summary of `run` (its output left out). */
export function testSummary(run: TestRun): TestSummary {
  return { command: run.command, passed: run.passed, failed: run.failed, exitCode: run.exitCode };
}
