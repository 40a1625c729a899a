/**
 * The pipeline: one job's path, and the only place that knows its order.
 *
 * 0. The provider is asked whether it serves the model (`agent/model_check.ts`, once per model for
 *    the process); a model id it does not serve (unknown or retired) fails the job at once.
 * 1. GitHub is opened for the job (`github/access.ts`).
 * 2. The issue resolves to its `[dev]` work items; closed ones and ones in other repositories are
 *    skipped and named (`github/work_items.ts`).
 * 3. The base branch is resolved once; the base snapshot holds exactly its tree
 *    (`base_snapshot.ts`), and repository guidance (`guidance.ts`) and the environment spec
 *    (`work_item_environment.ts`) are read from it.
 * 4. For each work item, in order (`work_item_run.ts`): branch ownership → its Docker engine
 *    (`host_placement.ts`: the one engine, or a slot in the pool) → environment (the base
 *    image, a cached one, or setup behind the egress proxy) → sandbox from it (seed, baseline) →
 *    agent loop with the submission check (`submission_check.ts`: criteria, change set, tests) →
 *    change set against the base tree (`change_set.ts`, `diff_policy.ts`) → branch, commit and pull
 *    request (`publish.ts`). A work item's failure is its own; the next still runs.
 * 5. The job's outcome sums the work items' (`pipeline_contract.ts` is what the worker sees).
 */
import type { AgentDeps } from "../agent/loop.ts";
import type { ModelCheck } from "../agent/model_check.ts";
import { checkModelFirst, modelNotFound } from "./model_preflight.ts";
import type { AuditLog } from "../audit.ts";
import type { GitHubAccess } from "../github/access.ts";
import type { GitHubGateway, RepoRef } from "../github/gateway.ts";
import { resolveWorkItems } from "../github/work_items.ts";
import { readBaseSnapshot } from "./base_snapshot.ts";
import { readGuidance } from "./guidance.ts";
import type { HostPlacement } from "./host_placement.ts";
import { readJobEnvironmentSpec } from "./work_item_environment.ts";
import type { PipelineSettings } from "./pipeline_settings.ts";
import { jobEvents } from "./job_event_builders.ts";
import type { EmitJobEvent } from "../contracts/job_events.ts";
import type { ProgressCommentIds } from "./work_item_progress.ts";
import { openJobProgress } from "./job_progress.ts";
import { notStarted, runWorkItemAlone, type WorkItemFailures } from "./work_item_isolation.ts";
import {
  budgetAfterEarlierAttempts,
  type OnTopOfEarlier,
  onTopOfEarlierAttempts,
} from "./earlier_attempts.ts";
import { prepareFollowUp } from "./follow_up.ts";
import { NO_USAGE } from "../contracts/usage.ts";
import type { Job, JobOutcome, WorkItemResult } from "../contracts/job.ts";
import type { DailyAllowance, IssueWaits, JobRunRecords, Pipeline } from "./pipeline_contract.ts";
import { waitForOps } from "./ops_first.ts";
import { logWorkItemFinished } from "./work_item_log.ts";

/** Everything the pipeline works with, injected by the composition root. */
export interface PipelineDeps {
  /** Opens GitHub for one job (its token is released when the job ends). */
  github: GitHubAccess;
  /** Where each work item's environment is prepared and its sandbox created. */
  hosts: HostPlacement;
  messages: AgentDeps["messages"];
  /** Whether the provider serves a model id, asked before a job's first step. */
  checkModel: ModelCheck;
  store: JobRunRecords;
  /** Records `pr_opened` audit events. */
  audit: AuditLog;
  /** Opens a submitter's daily dollar allowance (`QUOTA_USD_PER_DAY`), checked before every model call. */
  dailyAllowance: (principal: string) => Promise<DailyAllowance>;
  /** Which comment is each work item's progress comment (kept across jobs). */
  progressComments: ProgressCommentIds;
  /** Where a job waiting for its `[ops]` sub-issues hears that one closed (`issues.closed` webhooks). */
  waits: IssueWaits;
}

/** Builds the pipeline the worker runs for each job. */
export function createPipeline(deps: PipelineDeps, settings: PipelineSettings): Pipeline {
  return async (job: Job, emit, signal?: AbortSignal): Promise<JobOutcome> => {
    const notServed = await checkModelFirst(deps.checkModel, settings.model, emit, signal);
    if (notServed) return notServed;
    const repo = parseRepo(job.repo);
    const session = await deps.github.open(repo, signal);
    const onTop = onTopOfEarlierAttempts(job);
    try {
      const outcome = await runWorkItems(deps, settings, {
        job,
        emit,
        repo,
        github: session.gateway,
        onTop,
        ...(signal ? { signal } : {}),
      });
      const workItems = outcome.workItems?.map((item) => ({ ...item, usage: onTop(item.issue, item.usage) }));
      return workItems ? { ...outcome, workItems } : outcome;
    } finally {
      await session.close();
    }
  };
}

interface JobContext {
  job: Job;
  emit: EmitJobEvent;
  repo: RepoRef;
  github: GitHubGateway;
  /** Records this attempt's usage on top of the job's earlier attempts'. */
  onTop: OnTopOfEarlier;
  signal?: AbortSignal;
}

async function runWorkItems(
  deps: PipelineDeps,
  settings: PipelineSettings,
  ctx: JobContext,
): Promise<JobOutcome> {
  const { job, emit, repo, github, onTop, signal } = ctx;
  // A follow-up works on the pull request's own work item, from the head of its branch.
  const followUp = job.pull === undefined ? undefined : await prepareFollowUp(github, repo, job);
  if (followUp?.kind === "refused") {
    await emit(jobEvents.step(`no follow-up: ${followUp.reason}`));
    return { status: "failed", reason: followUp.reason, pullRequests: [], workItems: [] };
  }
  const { parent, items, skipped } = followUp
    ? { parent: undefined, items: [followUp.item], skipped: [] }
    : await resolveWorkItems(github, repo, job.issue);
  await emit(jobEvents.workItems({
    issues: items.map((i) => i.number),
    ...(parent ? { parent: parent.number } : {}),
  }));
  for (const { issue, reason } of skipped) {
    await emit(
      jobEvents.skipped({ issue: issue.number, repo: `${issue.repo.owner}/${issue.repo.name}`, reason }),
    );
  }
  // One progress comment per work item, and its board column; the ones that never ran are ended too.
  await using progress = await openJobProgress(
    {
      github,
      commentIds: deps.progressComments,
      repo,
      jobId: job.id,
      ...(settings.publicUrl ? { jobUrl: `${settings.publicUrl}/v1/jobs/${job.id}` } : {}),
      columns: settings.board,
    },
    items,
    signal,
  );
  if (parent) {
    const setWaiting = (waiting: boolean) => deps.store.setWaiting(job.id, waiting);
    const wait = await waitForOps({ github, waits: deps.waits, emit: progress.watch(emit), setWaiting }, {
      repo,
      parent,
      ...(signal ? { signal } : {}),
    }, settings.opsWait);
    if (!wait.go) {
      await progress.endAll(signal?.aborted ? "cancelled" : "skipped", wait.reason ?? "cancelled");
      return notStarted(items, skipped, wait.reason ?? "cancelled");
    }
  }
  const base = followUp?.base ?? await github.resolveBase(repo, job.base);
  await github.verifyHeadRepo(repo);
  await emit(jobEvents.step(`base ${base.branch} at ${base.sha.slice(0, 7)}`));
  const start = followUp?.context.start ?? base;
  if (followUp) {
    await emit(jobEvents.step(`follow-up on #${job.pull}: ${start.branch} at ${start.sha.slice(0, 7)}`));
  }
  const snapshot = await readBaseSnapshot(
    github,
    followUp ? github.headRepo(repo) : repo,
    start,
    settings.snapshot,
  );
  const guidance = await readGuidance(snapshot.seed);
  const environment = await readJobEnvironmentSpec(snapshot.seed);
  await emit(jobEvents.snapshot({
    files: snapshot.tree.files.size,
    bytes: snapshot.seed.byteLength,
    fetched: snapshot.fetched.length,
    guidance: guidance.map((g) => g.path),
  }));
  const workItems: WorkItemResult[] = skipped.map(({ issue, reason }) => ({
    issue: issue.number,
    title: issue.title,
    status: "skipped",
    reason: `${issue.repo.owner}/${issue.repo.name}#${issue.number}: ${reason}`,
    usage: NO_USAGE,
  }));
  /** Each work item's latest usage, and the failures a retry can get past. */
  const spent = new Map<number, WorkItemResult["usage"]>();
  const lost: WorkItemFailures = { spent, retryable: [] };
  const allowance = job.submitter ? await deps.dailyAllowance(job.submitter) : undefined;
  for (const item of items) {
    if (signal?.aborted) break;
    await allowance?.refresh();
    const itemProgress = progress.of(item.number);
    await itemProgress.begin();
    const itemStart = performance.now();
    workItems.push(
      await runWorkItemAlone(
        lost,
        {
          github,
          hosts: deps.hosts,
          messages: deps.messages,
          saveTrajectory: (issue, trajectory) => deps.store.saveTrajectory(job.id, issue, trajectory),
          recordPublication: (publication) => deps.store.savePublication(job.id, publication),
          recordUsage: async (issue, usage) => {
            spent.set(issue, usage);
            await deps.store.recordUsage(job.id, issue, onTop(issue, usage));
            await allowance?.refresh();
          },
          ...(allowance ? { allowance } : {}),
          pullRequestOpened: (pr) =>
            deps.audit.record({
              event: "pr_opened",
              jobId: job.id,
              repo: job.repo,
              issue: pr.issue,
              number: pr.number,
              url: pr.url,
              ...(job.submitter ? { submitter: job.submitter } : {}),
            }),
          emit: itemProgress.wrap(emit),
        },
        {
          jobId: job.id,
          repo,
          item,
          ...(parent ? { parent } : {}),
          base,
          snapshot,
          ...(followUp ? { followUp: followUp.context } : {}),
          guidance,
          environment,
          ...(signal ? { signal } : {}),
        },
        { ...settings, budget: budgetAfterEarlierAttempts(settings.budget, job, item.number) },
      ),
    );
    const done = workItems.at(-1)!;
    logWorkItemFinished(job.id, done, performance.now() - itemStart);
    await itemProgress.finish(done);
    if (done.status === "model_not_found") return modelNotFound(done, items, workItems, progress);
  }
  const pullRequests = workItems.flatMap((w) => w.pullRequest ? [w.pullRequest] : []);
  const failures = workItems.filter((w) => w.status !== "submitted" && w.status !== "skipped");
  if (signal?.aborted) return { status: "failed", reason: "cancelled", pullRequests, workItems };
  if (failures.length > 0) {
    const reason = failures.map((w) => `#${w.issue} ${w.status}: ${w.reason ?? ""}`.trim()).join("; ");
    const retry = lost.retryable.length > 0 ? { retry: lost.retryable.join("; ") } : {};
    return { status: "failed", reason, pullRequests, workItems, ...retry };
  }
  return { status: "succeeded", pullRequests, workItems };
}

function parseRepo(fullName: string): RepoRef {
  const [owner, name] = fullName.split("/");
  return { owner: owner!, name: name! };
}
