/**
 * Publishing one work item: the changes come out of the sandbox, pass the
 * diff policy, become a commit on the work item's branch, and a pull request
 * opens (or the existing one is updated).
 */
import type { Submission } from "../agent/tools.ts";
import { branchName, pullRequestTitle } from "../github/branch_name.ts";
import type { BaseCommit, GitHubGateway, Issue, RepoRef } from "../github/gateway.ts";
import { renderPullRequestBody, type TestRunSummary } from "../github/pull_request_body.ts";
import { extractChanges, RefusedChangesError } from "../sandbox/changes.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import type { TestRun } from "../sandbox/test_run.ts";
import { checkDiffPolicy, type DiffPolicyOptions } from "./diff_policy.ts";
import type { PullRequestRef } from "./job.ts";
import type { WorkItemResult } from "./work_item_result.ts";

/** What {@link publish} works with. */
export interface PublishInput {
  github: GitHubGateway;
  repo: RepoRef;
  item: Issue;
  parent?: Issue;
  base: BaseCommit;
  sandbox: Sandbox;
  baseline: string;
  submission: Submission;
  tests: TestRun;
  criteria: string[];
  /** Set when the tests still fail: the PR opens as a draft showing it. */
  failing?: string;
  /** The work item's result so far (usage, tests). */
  result: WorkItemResult;
}

/** Settings of {@link publish}. */
export interface PublishSettings {
  draft: boolean;
  diffPolicy: DiffPolicyOptions;
  say: (kind: string, message: string) => Promise<void>;
  pullRequestOpened: (pr: PullRequestRef) => void;
}

/** Publishes the work item, or says why it may not be published. */
export async function publish(p: PublishInput, settings: PublishSettings): Promise<WorkItemResult> {
  const { item, repo, say } = { ...p, say: settings.say };
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
  await p.github.pushBranch(repo, {
    baseSha: p.base.sha,
    branch,
    message: `${pullRequestTitle(item)}\n\nCloses #${item.number}`,
    files: changes,
  });
  const tests: TestRunSummary = { ...testSummary(p.tests), ...(p.failing ? { output: p.tests.tail } : {}) };
  const pr = await p.github.openPullRequest(repo, {
    head: branch,
    base: p.base.branch,
    title: pullRequestTitle(item),
    body: renderPullRequestBody({
      issue: item,
      ...(p.parent ? { parent: p.parent } : {}),
      submission: p.submission,
      criteria: p.criteria,
      tests,
    }),
    draft: settings.draft || p.failing !== undefined,
  });
  await say("pr", `pull request #${pr.number} ${pr.url}${p.failing ? " (draft: tests failing)" : ""}`);
  const pullRequest = { issue: item.number, number: pr.number, url: pr.url };
  settings.pullRequestOpened(pullRequest);
  if (p.failing) return { ...p.result, status: "tests_failed", reason: p.failing, pullRequest };
  return { ...p.result, status: "submitted", pullRequest };
}

/** The counts of a test run, as the PR body and the job record show them. */
export function testSummary(run: TestRun): TestRunSummary {
  return { command: run.command, passed: run.passed, failed: run.failed, exitCode: run.exitCode };
}
