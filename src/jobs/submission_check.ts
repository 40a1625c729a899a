/**
 * What happens when the model calls `submit_work`: every acceptance criterion
 * of the issue must be mapped, and the repository's tests must pass in the
 * sandbox. A rejection is feedback the model gets back.
 */
import type { Verdict } from "../agent/loop.ts";
import type { Submission } from "../agent/tools.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import { runTests, type TestRun } from "../sandbox/test_run.ts";

/** Checks submissions; remembers the last test run. */
export interface SubmissionCheck {
  verify(submission: Submission): Promise<Verdict>;
  /** The last test run, if the tests ran at all. */
  lastTests(): TestRun | undefined;
}

/** Options for {@link createSubmissionCheck}. */
export interface SubmissionCheckOptions {
  /** The acceptance criteria parsed from the issue. */
  criteria: string[];
  testCommand: string;
  testTimeoutMs: number;
  /** Progress lines for the job log. */
  say: (kind: string, message: string) => Promise<void>;
}

/** Builds the check for one work item's sandbox. */
export function createSubmissionCheck(sandbox: Sandbox, options: SubmissionCheckOptions): SubmissionCheck {
  let last: TestRun | undefined;
  return {
    lastTests: () => last,
    async verify(submission: Submission): Promise<Verdict> {
      const missing = unmapped(options.criteria, submission);
      if (missing.length > 0) {
        return {
          ok: false,
          summary: `the submission did not map ${missing.length} acceptance criteria`,
          feedback: `Not accepted: map every acceptance criterion of the issue, copying its text. Missing:\n${
            missing.map((c) => `- ${c}`).join("\n")
          }`,
        };
      }
      await options.say("step", `work submitted; running ${options.testCommand}`);
      const run = await runTests(sandbox, options.testCommand, { timeoutMs: options.testTimeoutMs });
      last = run;
      await options.say("test", `${run.passed} passed, ${run.failed} failed (exit ${run.exitCode})`);
      if (run.exitCode === 0) return { ok: true };
      return {
        ok: false,
        summary: `${run.command} exited ${run.exitCode} (${run.passed} passed, ${run.failed} failed)`,
        feedback:
          "Not accepted: the tests fail. Fix the code or the tests, run them, then call submit_work " +
          `again.\n$ ${run.command}\n${run.tail}`,
      };
    },
  };
}

/** Criteria from the issue that the submission does not list (compared without case, space or punctuation). */
export function unmapped(criteria: string[], submission: Submission): string[] {
  const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "");
  const mapped = new Set(submission.acceptance_criteria.map((c) => key(c.criterion)));
  return criteria.filter((c) => !mapped.has(key(c)));
}
