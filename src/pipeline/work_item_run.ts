/**
 * One work item through the pipeline: sandbox (seed, baseline) → agent loop
 * with test verification → changes → diff policy → branch and pull request.
 * The sandbox is removed, and the trajectory saved, on every path.
 */
import type { SharedAllowance } from "../agent/budget.ts";
import type { AgentDeps } from "../agent/loop.ts";
import { parseWorkItem } from "../github/acceptance_criteria.ts";
import { branchName } from "../github/branch_name.ts";
import { claimBranch } from "../github/branch_ownership.ts";
import type { BaseCommit, GitHubGateway, Issue, RepoRef } from "../github/gateway.ts";
import { LABELS } from "../sandbox/limits.ts";
import { keepTrajectory } from "./kept_trajectory.ts";
import type { HostPlacement } from "./host_placement.ts";
import { type JobEnvironmentSpec, prepareWorkItemEnvironment } from "./work_item_environment.ts";
import { leaseSandbox } from "./sandbox_lease.ts";
import type { BaseSnapshot } from "./base_snapshot.ts";
import { readChangeSet } from "./change_set.ts";
import type { GuidanceFile } from "./guidance.ts";
import type { PipelineSettings } from "./pipeline_settings.ts";
import { testSummary } from "../contracts/test_run.ts";
import { publish, type PublishSettings } from "./publish.ts";
import type { FollowUpContext } from "./follow_up.ts";
import { createSubmissionCheck } from "./submission_check.ts";
import { restoreLeftOutPaths } from "./workspace_restore.ts";
import { runWorkItemAgent } from "./work_item_agent.ts";
import { logJobError } from "./error_line.ts";
import type { PullRequestRef } from "../contracts/job.ts";
import { NO_USAGE, recordedUsage } from "../contracts/usage.ts";
import { workItemEvents } from "./job_event_builders.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";
import { orderedWrites } from "./ordered_writes.ts";
import { awaitedLater } from "./awaited_later.ts";
import type { WorkItemResult } from "../contracts/job.ts";

/** What one work item run needs. */
export interface WorkItemDeps {
  github: GitHubGateway;
  /** The engine each work item's environment and sandbox go on. */
  hosts: HostPlacement;
  messages: AgentDeps["messages"];
  saveTrajectory: (issue: number, trajectory: unknown) => Promise<void>;
  /** Stores the work item's running usage totals (after every model call). */
  recordUsage: (issue: number, usage: WorkItemResult["usage"]) => Promise<void>;
  /** The submitter's dollars left today, shared with its other runs; absent: none beyond the budget. */
  allowance?: SharedAllowance;
  /** Keeps what a work item published, for the dashboard. */
  recordPublication: PublishSettings["recordPublication"];
  /** Called once a pull request exists (for the audit log). */
  pullRequestOpened: (pr: PullRequestRef) => void;
  /** Appends a job event. */
  emit: EmitJobEvent;
}

/** The job-level facts a work item run works from. */
export interface WorkItemInput {
  jobId: string;
  repo: RepoRef;
  item: Issue;
  parent?: Issue;
  base: BaseCommit;
  snapshot: BaseSnapshot;
  guidance: GuidanceFile[];
  /** What the repository needs installed, read once per job from the snapshot. */
  environment: JobEnvironmentSpec;
  signal?: AbortSignal;
  /** Set for a follow-up: the snapshot is its branch's head, and the commit goes onto that branch. */
  followUp?: FollowUpContext;
}

/** Runs one work item to a {@link WorkItemResult}; only infrastructure failures throw. */
export async function runWorkItem(
  deps: WorkItemDeps,
  input: WorkItemInput,
  settings: PipelineSettings,
): Promise<WorkItemResult> {
  const { item, repo } = input;
  const events = workItemEvents(item.number);
  // Every write of this work item, those the agent loop's synchronous `onEvent` starts included,
  // runs in order through one queue that is drained before the work item ends; a failed write is
  // reported, and the work item goes on.
  await using writes = orderedWrites((error) =>
    logJobError("cannot record a work item's progress", error, { jobId: input.jobId, issue: item.number })
  );
  const say: EmitJobEvent = (event) => {
    writes.push(() => deps.emit(event));
    return writes.drain();
  };
  // Saved after the run, or, when an error or a cancellation ends the work item first, on the way out.
  await using trajectory = keepTrajectory(
    (entries) => deps.saveTrajectory(item.number, entries),
    (error) =>
      logJobError("cannot save a work item's trajectory", error, { jobId: input.jobId, issue: item.number }),
  );
  // Unique per attempt: a job that runs again may meet its lost sandbox on an engine that came back.
  const name = `backend-agent-${input.jobId.slice(0, 8)}-${item.number}-${crypto.randomUUID().slice(0, 4)}`;
  const parsed = parseWorkItem(item.body);
  const result: WorkItemResult = {
    issue: item.number,
    title: item.title,
    status: "cancelled",
    usage: NO_USAGE,
  };
  const fail = (status: WorkItemResult["status"], reason: string) => ({ ...result, status, reason });
  // A branch someone else owns is found before any money is spent; publishing checks again.
  // A follow-up's pull request was found to be the service's own; its branch may carry people's commits.
  const claim = input.followUp
    ? { kind: "free" as const }
    : await claimBranch(deps.github, repo, branchName(item, input.base));
  if (claim.kind === "taken") {
    await say(events.error(claim.reason));
    return fail("branch_taken", claim.reason);
  }
  // Held until the sandbox is gone (disposals run in reverse order): the engine's slot is this work item's.
  await using placed = await deps.hosts.place({
    environment: input.environment,
    seed: input.snapshot.seed,
    repo: `${repo.owner}/${repo.name}`,
    onWait: () => say(events.step("every Docker host is at SANDBOXES_PER_HOST: waiting for a free one")),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  // A setup's parts are removed while the sandbox starts and the agent runs; awaited before the slot
  // is released (disposals run in reverse order). The reaper removes what could not be.
  await using setupRemovals = awaitedLater((error) =>
    logJobError("cannot remove an environment setup", error, { jobId: input.jobId, issue: item.number })
  );
  const environment = await prepareWorkItemEnvironment(
    placed.environments,
    {
      spec: input.environment,
      seed: input.snapshot.seed,
      repo: `${repo.owner}/${repo.name}`,
      name,
      labels: { [LABELS.job]: input.jobId },
      ...(input.signal ? { signal: input.signal } : {}),
      defer: (removal) => setupRemovals.add(removal),
    },
    say,
    events,
  );
  if (!environment.ok) return fail("environment_failed", environment.reason);
  result.environment = environment.result;
  const criteria = parsed.criteriaSection === "unparsed" ? null : parsed.acceptanceCriteria.length;
  await say(events.sandbox({ name, criteria, ...(placed.host ? { host: placed.host } : {}) }));
  await using lease = await leaseSandbox(placed.sandboxes, {
    image: environment.result.image,
    name,
    seed: input.snapshot.seed,
    labels: { [LABELS.job]: input.jobId },
  }, {
    say: (kind, message) => say(kind === "error" ? events.error(message) : events.step(message)),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const sandbox = lease.sandbox;
  try {
    if (input.signal?.aborted) return fail("cancelled", "The job was cancelled");
    const check = createSubmissionCheck(sandbox, {
      criteria: parsed.acceptanceCriteria,
      testCommand: settings.testCommand,
      testTimeoutMs: settings.testTimeoutMs,
      readChanges: () => readChangeSet(sandbox, input.snapshot.tree, settings.diffPolicy),
      restoreLeftOut: (paths) => restoreLeftOutPaths(sandbox, input.snapshot, paths),
      emit: say,
      events,
    });
    const outcome = await runWorkItemAgent({
      messages: deps.messages,
      sandbox,
      repo,
      item,
      ...(input.parent ? { parent: input.parent } : {}),
      parsed,
      guidance: input.guidance,
      environment,
      check,
      ...(deps.allowance ? { allowance: deps.allowance } : {}),
      trajectory,
      writes,
      emit: deps.emit,
      recordUsage: deps.recordUsage,
      events,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.followUp
        ? {
          followUp: {
            pull: input.followUp.pull.number,
            branch: input.followUp.start.branch,
            instructions: input.followUp.instructions,
            threads: input.followUp.threads,
            mapping: input.followUp.mapping,
          },
        }
        : {}),
    }, settings);
    result.usage = recordedUsage(outcome.usage, outcome.turns);
    await trajectory.save();
    const tests = check.lastTests();
    if (tests) result.tests = testSummary(tests);
    if (outcome.status !== "submitted" && outcome.status !== "tests_failed") {
      return fail(outcome.status, outcome.reason);
    }
    if (outcome.status === "tests_failed" && check.lastRejection() === "changes") {
      return fail("diff_rejected", outcome.reason);
    }
    if (outcome.status === "tests_failed" && (settings.onFailingTests === "none" || !tests)) {
      return fail("tests_failed", outcome.reason);
    }
    return await publish({
      github: deps.github,
      jobId: input.jobId,
      repo,
      item,
      ...(input.parent ? { parent: input.parent } : {}),
      base: input.base,
      tree: input.snapshot.tree,
      seed: input.snapshot.seed,
      sandbox,
      submission: outcome.submission,
      tests: tests!,
      restored: check.restored(),
      criteria: parsed.acceptanceCriteria,
      criteriaSection: parsed.criteriaSection,
      ...(outcome.status === "tests_failed" ? { failing: outcome.reason } : {}),
      ...(input.followUp ? { followUp: input.followUp } : {}),
      result,
    }, {
      draft: settings.draft,
      diffPolicy: settings.diffPolicy,
      emit: say,
      events,
      pullRequestOpened: deps.pullRequestOpened,
      recordPublication: deps.recordPublication,
    });
  } catch (error) {
    if (input.signal?.aborted) return fail("cancelled", "The job was stopped while the sandbox was in use");
    throw error;
  }
}
