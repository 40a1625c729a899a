/**
 * Publishing one work item: the changes come out of the sandbox, are checked
 * on the host against the base tree and the diff policy, become a commit on
 * the work item's branch, and a pull request opens (or the service's own
 * earlier one is updated). A branch or pull request someone else owns is
 * never touched. In fork mode (`PR_HEAD_REPO`) the branch is pushed to the
 * fork and the pull request opened from it.
 */
import type { Submission } from "../contracts/submission.ts";
import type { CriteriaSection } from "../github/acceptance_criteria.ts";
import { branchName, pullRequestTitle } from "../github/branch_name.ts";
import { claimBranch, commitMessage, PR_LABEL } from "../github/branch_ownership.ts";
import type { BaseCommit, GitHubGateway, Issue, RepoRef } from "../github/gateway.ts";
import { renderPullRequestBody } from "../github/pull_request_body.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import type { TestRun } from "../contracts/test_run.ts";
import type { BaseTree } from "./base_tree.ts";
import { type ChangeSet, readChangeSet } from "./change_set.ts";
import type { DiffPolicy, LeftOutPath } from "./diff_policy.ts";
import type { PullRequestRef } from "../contracts/job.ts";
import type { WorkItemEvents } from "./job_event_builders.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";
import type { WorkItemResult } from "../contracts/job.ts";
import type { WorkItemPublication } from "../contracts/work_item_publication.ts";
import { MAPPING_KEPT_MAX_CHARS } from "../contracts/work_item_publication.ts";
import { criteriaMappingOf, type FollowUpContext } from "./follow_up.ts";
import { publishedFiles } from "./published_diff.ts";
import { readSeedFiles } from "./workspace_restore.ts";
import { replyToFollowUp } from "./follow_up_reply.ts";

/** What {@link publish} works with. */
export interface PublishInput {
  github: GitHubGateway;
  jobId: string;
  repo: RepoRef;
  item: Issue;
  parent?: Issue;
  base: BaseCommit;
  tree: BaseTree;
  /** The seed archive holding the base tree's bytes (what the published diff is measured against). */
  seed: Uint8Array;
  sandbox: Sandbox;
  submission: Submission;
  tests: TestRun;
  /** Paths reset to the base tree before the tests (so no longer in the workspace), named as not committed. */
  restored: LeftOutPath[];
  criteria: string[];
  /** Whether the issue had a criteria section, and whether it could be parsed. */
  criteriaSection: CriteriaSection;
  /** Set when the tests still fail: the PR opens as a draft showing it. */
  failing?: string;
  /** The work item's result so far (usage, tests). */
  result: WorkItemResult;
  /** Set for a follow-up: one more commit, fast-forward, on its pull request's branch, and a reply. */
  followUp?: FollowUpContext;
}

/** Settings of {@link publish}. */
export interface PublishSettings {
  draft: boolean;
  diffPolicy: DiffPolicy;
  /** Appends a job event. */
  emit: EmitJobEvent;
  /** Builds the work item's events. */
  events: WorkItemEvents;
  pullRequestOpened: (pr: PullRequestRef) => void;
  /** Keeps what was published (the diff, the criteria mapping, the tests) for the dashboard. */
  recordPublication: (publication: WorkItemPublication) => Promise<void>;
}

/** The paths a change set leaves out, and those reset before the tests, each with why. */
function notCommittedPaths(changes: ChangeSet, restored: LeftOutPath[]): LeftOutPath[] {
  const paths = new Map(restored.map((l) => [l.path, l]));
  for (const l of changes.leftOut) paths.set(l.path, l);
  for (const path of changes.ignored) paths.set(path, { path, reason: "matched by .gitignore" });
  return [...paths.values()];
}

/** Publishes the work item, or says why it may not be published. */
export async function publish(p: PublishInput, settings: PublishSettings): Promise<WorkItemResult> {
  const { item, repo } = p;
  const { emit, events } = settings;
  const changes = await readChangeSet(p.sandbox, p.tree, settings.diffPolicy);
  const notCommitted = notCommittedPaths(changes, p.restored);
  if (notCommitted.length > 0) await emit(events.notCommitted(notCommitted));
  if (changes.overCap) {
    await emit(events.error(`diff rejected: ${changes.overCap}`));
    return { ...p.result, status: "diff_rejected", reason: changes.overCap };
  }
  if (changes.files.length === 0) {
    const reason = notCommitted.length === 0
      ? "The agent submitted without changing any file"
      : `The agent changed no file that can be committed; not committed: ${
        notCommitted.map((l) => `${l.path} (${l.reason})`).join("; ")
      }`;
    return { ...p.result, status: "no_changes", reason };
  }
  await emit(
    events.step(`${changes.files.length} changed files: ${changes.files.map((c) => c.path).join(", ")}`),
  );
  const followUp = p.followUp;
  const branch = followUp ? followUp.start.branch : branchName(item, p.base);
  // A follow-up builds on its branch's head as read when it started: moved since, the push is refused.
  const claim = followUp
    ? { kind: "ours" as const, headSha: followUp.start.sha }
    : await claimBranch(p.github, repo, branch);
  if (claim.kind === "taken") {
    await emit(events.error(claim.reason));
    return { ...p.result, status: "branch_taken", reason: claim.reason };
  }
  const existing = claim.kind === "ours" ? claim.pullRequest : undefined;
  if (existing && existing.base !== p.base.branch) {
    const reason = `branch_taken: ${branch} already has pull request #${existing.number} into ` +
      `${existing.base}, not ${p.base.branch}; close it or run the job against ${existing.base}`;
    await emit(events.error(reason));
    return { ...p.result, status: "branch_taken", reason };
  }
  const title = followUp ? followUp.pull.title : pullRequestTitle(item);
  // Fork mode: the branch goes to the fork, where no workflow of `repo` runs with its secrets.
  const headRepo = p.github.headRepo(repo);
  const { commitSha } = await p.github.pushBranch(headRepo, {
    baseSha: followUp ? followUp.start.sha : p.base.sha,
    branch,
    message: followUp
      ? commitMessage(`Follow-up on #${followUp.pull.number}: ${title}`, `Part of #${item.number}`, p.jobId)
      : commitMessage(title, `Closes #${item.number}`, p.jobId),
    files: changes.files,
    ...(claim.kind === "ours" ? { expectedHeadSha: claim.headSha } : {}),
  });
  const tests = { ...p.tests, tail: p.failing ? p.tests.tail : "" };
  const body = renderPullRequestBody({
    repo,
    issue: item,
    ...(p.parent ? { parent: p.parent } : {}),
    submission: p.submission,
    criteria: p.criteria,
    criteriaSection: p.criteriaSection,
    tests,
    base: p.base,
    jobId: p.jobId,
    notCommitted,
  });
  const updated = followUp?.pull ?? existing;
  const pr = updated
    ? await p.github.updatePullRequest(repo, updated.number, { title, body })
    : await p.github.openPullRequest(repo, {
      head: { repo: headRepo, branch },
      base: p.base.branch,
      title,
      body,
      draft: settings.draft || p.failing !== undefined,
    });
  await p.github.addLabels(repo, pr.number, [PR_LABEL]);
  await emit(events.pullRequest({
    number: pr.number,
    url: pr.url,
    draft: settings.draft || p.failing !== undefined,
    testsFailing: p.failing !== undefined,
  }));
  const pullRequest = { issue: item.number, number: pr.number, url: pr.url };
  settings.pullRequestOpened(pullRequest);
  const bases = await readSeedFiles(p.seed, new Set(changes.files.map((file) => file.path)));
  await settings.recordPublication({
    issue: item.number,
    pullRequest,
    commitSha,
    files: publishedFiles(changes.files, bases),
    criteriaMapping: criteriaMappingOf(body, MAPPING_KEPT_MAX_CHARS),
    tests: p.tests,
  });
  if (followUp) {
    await replyToFollowUp(p.github, repo, followUp, {
      commitSha,
      files: changes.files.map((file) => file.path),
      tests: p.tests,
      summary: p.submission.summary ?? "",
    });
    await emit(events.step(`replied on #${pr.number} with what changed`));
  }
  if (p.failing) return { ...p.result, status: "tests_failed", reason: p.failing, pullRequest };
  return { ...p.result, status: "submitted", pullRequest };
}
