/**
 * One work item through the pipeline: sandbox (seed, baseline) → agent loop
 * with test verification → changes → diff policy → branch and pull request.
 * The sandbox is removed on every path.
 */
import { LABELS } from "../sandbox/limits.ts";
import type { AgentDeps, Verdict } from "../agent/loop.ts";
import { runAgent } from "../agent/loop.ts";
import type { Submission } from "../agent/tools.ts";
import { buildSystemPrompt, buildTaskPrompt } from "../agent/prompt.ts";
import { parseWorkItem } from "../github/acceptance_criteria.ts";
import { branchName, pullRequestTitle } from "../github/branch_name.ts";
import type { BaseCommit, GitHubGateway, Issue, RepoRef } from "../github/gateway.ts";
import { renderPullRequestBody, type TestRunSummary } from "../github/pull_request_body.ts";
import { commitBaseline } from "../sandbox/baseline.ts";
import { extractChanges, RefusedChangesError } from "../sandbox/changes.ts";
import type { Sandbox, SandboxFactory } from "../sandbox/sandbox.ts";
import { runTests, type TestRun } from "../sandbox/test_run.ts";
import { createCommandPolicy } from "../sandbox/command_policy.ts";
import { createWorkbench } from "../sandbox/workbench.ts";
import { checkDiffPolicy } from "./diff_policy.ts";
import type { GuidanceFile } from "./guidance.ts";
import type { PipelineSettings } from "./pipeline_settings.ts";
import type { PullRequestRef } from "./job.ts";
import type { WorkItemResult } from "./work_item_result.ts";

/** What one work item run needs. */
export interface WorkItemDeps {
  github: GitHubGateway;
  sandboxes: SandboxFactory;
  messages: AgentDeps["messages"];
  saveTrajectory: (issue: number, trajectory: unknown) => Promise<void>;
  /** Stores the work item's running usage totals (after every model call). */
  recordUsage: (issue: number, usage: WorkItemResult["usage"]) => Promise<void>;
  /** Called once a pull request exists (for the audit log). */
  pullRequestOpened: (pr: PullRequestRef) => void;
  log: (kind: string, message: string) => Promise<void>;
}

/** The job-level facts a work item run works from. */
export interface WorkItemInput {
  jobId: string;
  repo: RepoRef;
  item: Issue;
  parent?: Issue;
  base: BaseCommit;
  seed: Uint8Array;
  guidance: GuidanceFile[];
  signal?: AbortSignal;
}

/** Runs one work item to a {@link WorkItemResult}; only infrastructure failures throw. */
export async function runWorkItem(
  deps: WorkItemDeps,
  input: WorkItemInput,
  settings: PipelineSettings,
): Promise<WorkItemResult> {
  const { item, repo } = input;
  const say = (kind: string, message: string) => deps.log(kind, `#${item.number}: ${message}`);
  const name = `backend-agent-${input.jobId.slice(0, 8)}-${item.number}`;
  const parsed = parseWorkItem(item.body);
  const result: WorkItemResult = {
    issue: item.number,
    title: item.title,
    status: "cancelled",
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, turns: 0 },
  };
  const fail = (status: WorkItemResult["status"], reason: string) => ({ ...result, status, reason });
  await say("step", `${parsed.acceptanceCriteria.length} acceptance criteria; starting sandbox ${name}`);
  const sandbox = await deps.sandboxes.create({
    name,
    seed: input.seed,
    labels: { [LABELS.job]: input.jobId },
  });
  // A cancel (or deadline) removes the sandbox at once: whatever runs in it stops now, not after its timeout.
  const stopNow = () => void sandbox.dispose().catch(() => undefined);
  input.signal?.addEventListener("abort", stopNow, { once: true });
  try {
    if (input.signal?.aborted) return fail("cancelled", "The job was cancelled");
    const baseline = await commitBaseline(sandbox);
    let lastTests: TestRun | undefined;
    const verify = async (submission: Submission): Promise<Verdict> => {
      const missing = unmapped(parsed.acceptanceCriteria, submission);
      if (missing.length > 0) {
        return {
          ok: false,
          summary: `the submission did not map ${missing.length} acceptance criteria`,
          feedback: `Not accepted: map every acceptance criterion of the issue, copying its text. Missing:\n${
            missing.map((c) => `- ${c}`).join("\n")
          }`,
        };
      }
      await say("step", `work submitted; running ${settings.testCommand}`);
      lastTests = await runTests(sandbox, settings.testCommand, { timeoutMs: settings.testTimeoutMs });
      await say(
        "test",
        `${lastTests.passed} passed, ${lastTests.failed} failed (exit ${lastTests.exitCode})`,
      );
      if (lastTests.exitCode === 0) return { ok: true };
      return {
        ok: false,
        summary:
          `${lastTests.command} exited ${lastTests.exitCode} (${lastTests.passed} passed, ${lastTests.failed} failed)`,
        feedback:
          `Not accepted: the tests fail. Fix the code or the tests, run them, then call submit_work again.\n` +
          `$ ${lastTests.command}\n${lastTests.tail}`,
      };
    };
    const outcome = await runAgent(
      {
        messages: deps.messages,
        workbench: createWorkbench(sandbox, { policy: createCommandPolicy(settings.commandPolicy) }),
      },
      {
        model: settings.model,
        system: buildSystemPrompt(),
        task: buildTaskPrompt({
          repo: `${repo.owner}/${repo.name}`,
          issue: item,
          ...(input.parent ? { parent: input.parent } : {}),
          acceptanceCriteria: parsed.acceptanceCriteria,
          guidance: input.guidance,
        }),
        budget: settings.budget,
        verify,
        maxVerifyRetries: settings.maxVerifyRetries,
        ...(input.signal ? { signal: input.signal } : {}),
        onEvent: (event) => {
          if (event.type === "tool_call") void say("tool", event.summary);
          if (event.type === "usage") {
            void deps.recordUsage(item.number, {
              inputTokens: event.usage.inputTokens,
              outputTokens: event.usage.outputTokens,
              totalTokens: event.usage.totalTokens,
              costUsd: event.usage.costUsd,
              turns: event.turn,
            });
            void say(
              "usage",
              `turn ${event.turn}: ${event.usage.totalTokens} tokens, $${event.usage.costUsd.toFixed(4)}`,
            );
          }
        },
      },
    );
    result.usage = {
      inputTokens: outcome.usage.inputTokens,
      outputTokens: outcome.usage.outputTokens,
      totalTokens: outcome.usage.totalTokens,
      costUsd: outcome.usage.costUsd,
      turns: outcome.turns,
    };
    await deps.saveTrajectory(item.number, outcome.trajectory);
    if (lastTests) result.tests = summary(lastTests);
    if (outcome.status === "tests_failed" && settings.onFailingTests === "none") {
      return fail("tests_failed", outcome.reason);
    }
    if (outcome.status !== "submitted" && outcome.status !== "tests_failed") {
      return fail(outcome.status, outcome.reason);
    }
    return await publish(deps, input, settings, {
      sandbox,
      baseline,
      submission: outcome.submission,
      tests: lastTests!,
      criteria: parsed.acceptanceCriteria,
      result,
      failed: outcome.status === "tests_failed" ? outcome.reason : undefined,
    });
  } catch (error) {
    if (input.signal?.aborted) return fail("cancelled", "The job was stopped while the sandbox was in use");
    throw error;
  } finally {
    input.signal?.removeEventListener("abort", stopNow);
    try {
      await sandbox.dispose();
      await say("step", "sandbox removed");
    } catch (error) {
      // The work item's outcome stands; the reaper removes what is left.
      await say("error", `sandbox ${name} could not be removed: ${(error as Error).message}`);
    }
  }
}

interface PublishInput {
  sandbox: Sandbox;
  baseline: string;
  submission: Submission;
  tests: TestRun;
  criteria: string[];
  result: WorkItemResult;
  /** Set when the tests still fail and the PR opens as a draft showing it. */
  failed: string | undefined;
}

async function publish(
  deps: WorkItemDeps,
  input: WorkItemInput,
  settings: PipelineSettings,
  p: PublishInput,
): Promise<WorkItemResult> {
  const { item, repo } = input;
  const say = (kind: string, message: string) => deps.log(kind, `#${item.number}: ${message}`);
  let changes;
  try {
    changes = await extractChanges(p.sandbox, p.baseline);
  } catch (error) {
    if (error instanceof RefusedChangesError) {
      return { ...p.result, status: "diff_rejected", reason: error.message };
    }
    throw error;
  }
  if (changes.length === 0) {
    return { ...p.result, status: "no_changes", reason: "The agent submitted without changing any file" };
  }
  const violations = checkDiffPolicy(changes, settings.diffPolicy);
  if (violations.length > 0) {
    const reason = violations.map((v) => `${v.path}: ${v.rule}`).join("; ");
    await say("error", `diff rejected: ${reason}`);
    return { ...p.result, status: "diff_rejected", reason };
  }
  await say("step", `${changes.length} changed files: ${changes.map((c) => c.path).join(", ")}`);
  const branch = branchName(item);
  await deps.github.pushBranch(repo, {
    baseSha: input.base.sha,
    branch,
    message: `${pullRequestTitle(item)}\n\nCloses #${item.number}`,
    files: changes,
  });
  const tests: TestRunSummary = { ...summary(p.tests), ...(p.failed ? { output: p.tests.tail } : {}) };
  const pr = await deps.github.openPullRequest(repo, {
    head: branch,
    base: input.base.branch,
    title: pullRequestTitle(item),
    body: renderPullRequestBody({
      issue: item,
      ...(input.parent ? { parent: input.parent } : {}),
      submission: p.submission,
      criteria: p.criteria,
      tests,
    }),
    draft: settings.draft || p.failed !== undefined,
  });
  await say("pr", `pull request #${pr.number} ${pr.url}${p.failed ? " (draft: tests failing)" : ""}`);
  const pullRequest = { issue: item.number, number: pr.number, url: pr.url };
  deps.pullRequestOpened(pullRequest);
  if (p.failed) return { ...p.result, status: "tests_failed", reason: p.failed, pullRequest };
  return { ...p.result, status: "submitted", pullRequest };
}

function summary(run: TestRun): TestRunSummary {
  return { command: run.command, passed: run.passed, failed: run.failed, exitCode: run.exitCode };
}

/** Criteria from the issue that the submission does not list (compared without case, space or punctuation). */
function unmapped(criteria: string[], submission: Submission): string[] {
  const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "");
  const mapped = new Set(submission.acceptance_criteria.map((c) => key(c.criterion)));
  return criteria.filter((c) => !mapped.has(key(c)));
}
