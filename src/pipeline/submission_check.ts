/**
 * What happens when the model calls `submit_work`, in order: every acceptance
 * criterion of the issue must be mapped; the change set must be within the
 * diff caps, and the paths that would not be committed are named once so the
 * model can react; the repository's tests must pass in the sandbox. A
 * rejection is feedback the model gets back.
 *
 * The test run is trusted (its result goes into the pull request), so it runs
 * on exactly what will be committed: every path the change set leaves out,
 * and every new path `.gitignore` matches, is first put back to the base tree
 * by the host's restore program (`pipeline/workspace_restore.ts`). A protected
 * `conftest.py` that forces a pass is gone before pytest starts.
 */
import type { Verdict } from "../agent/loop.ts";
import type { Submission } from "../contracts/submission.ts";
import { mapCriteria } from "../github/criteria_mapping.ts";
import { shownPath } from "../github/git_path.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import type { ChangeSet } from "./change_set.ts";
import type { TestRun } from "../contracts/test_run.ts";
import type { RestoreFailure } from "../sandbox/workspace_restore.ts";
import type { LeftOutPath } from "./diff_policy.ts";
import { describeTestExit, runTests } from "../sandbox/test_run.ts";
import type { WorkItemEvents } from "./job_event_builders.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";

/** Checks submissions; remembers the last test run. */
export interface SubmissionCheck {
  verify(submission: Submission): Promise<Verdict>;
  /** The last test run, if the tests ran at all. */
  lastTests(): TestRun | undefined;
  /** What the last rejection was about, if any: unmapped criteria, the change set, or the tests. */
  lastRejection(): "criteria" | "changes" | "tests" | undefined;
  /** Paths removed or put back to the base tree before a test run, as they were named; the PR names them. */
  restored(): LeftOutPath[];
}

/** Options for {@link createSubmissionCheck}. */
export interface SubmissionCheckOptions {
  /** The acceptance criteria parsed from the issue. */
  criteria: string[];
  testCommand: string;
  testTimeoutMs: number;
  /** Reads the workspace's change set, checked against the base tree and the diff policy. */
  readChanges: () => Promise<ChangeSet>;
  /**
   * Puts the paths the change set leaves out (`ChangeSet.refusedPaths`) back to the base tree and
   * removes new ignored paths, with no agent process alive; returns what could not be restored.
   */
  restoreLeftOut: (paths: readonly string[]) => Promise<RestoreFailure[]>;
  /** Appends a job event. */
  emit: EmitJobEvent;
  /** Builds the work item's events. */
  events: WorkItemEvents;
}

/** Builds the check for one work item's sandbox. */
export function createSubmissionCheck(sandbox: Sandbox, options: SubmissionCheckOptions): SubmissionCheck {
  let last: TestRun | undefined;
  let rejection: ReturnType<SubmissionCheck["lastRejection"]>;
  let noticed: string | undefined;
  const restored = new Map<string, LeftOutPath>();
  const reject = (kind: typeof rejection, verdict: Exclude<Verdict, { ok: true }>): Verdict => {
    rejection = kind;
    return verdict;
  };
  return {
    lastTests: () => last,
    lastRejection: () => rejection,
    restored: () => [...restored.values()],
    async verify(submission: Submission): Promise<Verdict> {
      const { missing } = mapCriteria(options.criteria, submission.acceptance_criteria);
      if (missing.length > 0) {
        return reject("criteria", {
          ok: false,
          summary: `the submission did not map ${missing.length} acceptance criteria`,
          feedback: "Not accepted: map every acceptance criterion by its number (with evidence, or " +
            `\`met: false\` and why). Missing:\n${missing.map((c) => `${c.number}. ${c.text}`).join("\n")}`,
        });
      }
      const changes = await options.readChanges();
      if (changes.overCap) {
        await options.emit(options.events.error(`change set over its cap: ${changes.overCap}`));
        return reject("changes", {
          ok: false,
          summary: `the change set is over its cap: ${changes.overCap}`,
          feedback: `Not accepted: the change set is too large: ${changes.overCap}. Remove generated, ` +
            "copied or unrelated files (or keep to what the issue asks), then call submit_work again.",
        });
      }
      const leftOut = changes.leftOut.map((l) => `- ${l.path}: ${l.reason}`);
      const key = leftOut.join("\n");
      if (leftOut.length > 0 && key !== noticed) {
        noticed = key;
        await options.emit(options.events.notCommitted(changes.leftOut));
        return reject("changes", {
          ok: false,
          notice: true,
          summary: `${leftOut.length} paths would not be committed`,
          feedback: `Not accepted yet: these paths would not be committed:\n${key}\n` +
            "The rest of your change set is fine. Remove what is not needed, or make the change where it " +
            "can be committed; then call submit_work again. Submitting again as it is accepts the work " +
            "without these paths, and the pull request names them.",
        });
      }
      const reset = [
        ...changes.leftOut,
        ...changes.ignored.map((path) => ({ path, reason: "matched by .gitignore" })),
      ];
      if (reset.length > 0) {
        await options.emit(
          options.events.step(`${reset.length} paths that will not be committed are reset before the tests`),
        );
        const failed = await options.restoreLeftOut(changes.refusedPaths);
        for (const l of reset) restored.set(l.path, l);
        if (failed.length > 0) {
          const names = failed.slice(0, 20).map((f) => `- ${shownPath(f.path)}: ${f.error}`).join("\n");
          await options.emit(
            options.events.error(`${failed.length} paths could not be reset before the tests`),
          );
          return reject("changes", {
            ok: false,
            summary: `${failed.length} paths that will not be committed could not be reset before the tests`,
            feedback:
              "Not accepted: the tests run on exactly what will be committed, but these paths, which " +
              `will not be committed, could not be removed or put back to the base tree:\n${names}\n` +
              "Remove them yourself (and keep folders writable by your group), then call submit_work again.",
          });
        }
      }
      await options.emit(options.events.step(`work submitted; running ${options.testCommand}`));
      const run = await runTests(sandbox, options.testCommand, { timeoutMs: options.testTimeoutMs });
      last = run;
      await options.emit(options.events.test(run));
      if (run.exitCode === 0) return { ok: true };
      return reject("tests", {
        ok: false,
        summary: `${describeTestExit(run)}: ${run.command} exited ${run.exitCode} (${run.passed} passed, ` +
          `${run.failed} failed)`,
        feedback: `Not accepted: ${describeTestExit(run)}. ` +
          (run.exitCode === 5
            ? "Add tests for the change where the test command collects them (see the repository's test layout), "
            : "Fix the code or the tests, ") +
          `run them, then call submit_work again.\n$ ${run.command}\n${run.tail}` +
          (reset.length > 0
            ? "\nThe tests ran on what will be committed: these paths, which will not be, were removed or " +
              `put back to the base tree first:\n${reset.map((l) => `- ${l.path}: ${l.reason}`).join("\n")}`
            : ""),
      });
    },
  };
}
