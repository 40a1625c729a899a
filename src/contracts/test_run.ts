/**
 * The verification run's result, one contract for every place it travels:
 * the sandbox runs it (`sandbox/test_run.ts`), the job record keeps its
 * summary (`contracts/job.ts`), the PR body shows it (`github/pull_request_body.ts`).
 * The counts and the output come from inside the sandbox, so they are
 * untrusted: the schema bounds every field.
 */
import { z } from "zod";

/** Largest test count a run reports (pytest's summary is read up to 9 digits). */
export const TEST_COUNT_MAX = 999_999_999;

/** Most characters of a run's output kept (its end). */
export const TEST_TAIL_MAX_CHARS = 4_000;

/** Most characters of the test command line kept with a run (`TEST_COMMAND`, the host's own setting). */
export const TEST_COMMAND_MAX_CHARS = 4_096;

/** The counts of a test run, as the job record and the PR show them. */
export const testSummarySchema = z.object({
  /** The shell command line that ran, e.g. `python3 -m pytest -q`. */
  command: z.string().max(TEST_COMMAND_MAX_CHARS),
  passed: z.number().int().nonnegative().max(TEST_COUNT_MAX),
  failed: z.number().int().nonnegative().max(TEST_COUNT_MAX),
  exitCode: z.number().int().min(0).max(255).nullable().describe("Null when the run was killed (timeout)."),
});

/** {@link testSummarySchema}'s type. */
export type TestSummary = z.infer<typeof testSummarySchema>;

/** A whole run: the summary and the last lines of its output. */
export const testRunSchema = testSummarySchema.extend({
  /** The end of stdout and stderr, for the model's feedback and the PR. */
  tail: z.string().max(TEST_TAIL_MAX_CHARS),
});

/** {@link testRunSchema}'s type. */
export type TestRun = z.infer<typeof testRunSchema>;

/** The summary of `run` (its output left out). */
export function testSummary(run: TestRun): TestSummary {
  return { command: run.command, passed: run.passed, failed: run.failed, exitCode: run.exitCode };
}
