/**
 * The pipeline, and the only place that knows its order:
 * work items → base commit → snapshot → per item: sandbox (seed, baseline) →
 * agent loop → tests → changes → diff policy → branch + pull request →
 * sandbox removed.
 */
import type { AgentDeps } from "../agent/loop.ts";
import { runAgent } from "../agent/loop.ts";
import type { BudgetLimits } from "../agent/budget.ts";
import { buildSystemPrompt, buildTaskPrompt } from "../agent/prompt.ts";
import { parseWorkItem } from "../github/acceptance_criteria.ts";
import { branchName, pullRequestTitle } from "../github/branch_name.ts";
import type { GitHubGateway, Issue, RepoRef } from "../github/gateway.ts";
import { renderPullRequestBody } from "../github/pull_request_body.ts";
import { resolveWorkItems } from "../github/work_items.ts";
import { commitBaseline } from "../sandbox/baseline.ts";
import { extractChanges } from "../sandbox/changes.ts";
import type { SandboxFactory } from "../sandbox/sandbox.ts";
import { buildSeedArchive } from "../sandbox/seed_archive.ts";
import { runTests } from "../sandbox/test_run.ts";
import { createWorkbench } from "../sandbox/workbench.ts";
import { checkDiffPolicy } from "./diff_policy.ts";
import type { Job, PullRequestRef } from "./job.ts";
import type { JobStore } from "./store.ts";
import type { JobOutcome, Pipeline } from "./worker.ts";

/** Settings the pipeline needs (from config). */
export interface PipelineSettings {
  model: string;
  budget: BudgetLimits;
  /** Shell command that runs the repo's tests in /workspace. */
  testCommand: string;
  /** Open pull requests as drafts. */
  draft: boolean;
}

/** Everything the pipeline works with, injected by the composition root. */
export interface PipelineDeps {
  github: GitHubGateway;
  sandboxes: SandboxFactory;
  messages: AgentDeps["messages"];
  store: JobStore;
}

type Log = (kind: string, message: string) => Promise<void>;

/** Builds the pipeline the worker runs for each job. */
export function createPipeline(deps: PipelineDeps, settings: PipelineSettings): Pipeline {
  return async (job: Job, log: Log): Promise<JobOutcome> => {
    const repo = parseRepo(job.repo);
    const { parent, items } = await resolveWorkItems(deps.github, repo, job.issue);
    await log(
      "step",
      `work items: ${items.map((i) => `#${i.number}`).join(", ")}${
        parent ? ` (parent #${parent.number})` : ""
      }`,
    );
    const base = await deps.github.resolveBase(repo, job.base);
    await log("step", `base ${base.branch} at ${base.sha.slice(0, 7)}`);
    const seed = await buildSeedArchive(await deps.github.downloadTarball(repo, base.sha));
    await log("step", `snapshot: ${Math.round(seed.byteLength / 1024)} KiB`);
    const pullRequests: PullRequestRef[] = [];
    const failures: string[] = [];
    for (const item of items) {
      const result = await workOn({ deps, settings, job, repo, item, parent, base, seed, log });
      if ("pullRequest" in result) pullRequests.push(result.pullRequest);
      else failures.push(`#${item.number}: ${result.failure}`);
    }
    if (failures.length > 0) return { status: "failed", reason: failures.join("; "), pullRequests };
    return { status: "succeeded", pullRequests };
  };
}

interface ItemContext {
  deps: PipelineDeps;
  settings: PipelineSettings;
  job: Job;
  repo: RepoRef;
  item: Issue;
  parent: Issue | undefined;
  base: { branch: string; sha: string };
  seed: Uint8Array;
  log: Log;
}

async function workOn(ctx: ItemContext): Promise<{ pullRequest: PullRequestRef } | { failure: string }> {
  const { deps, settings, job, repo, item, log } = ctx;
  const name = `backend-agent-${job.id.slice(0, 8)}-${item.number}`;
  await log("step", `#${item.number}: starting sandbox ${name}`);
  const sandbox = await deps.sandboxes.create({
    name,
    seed: ctx.seed,
    labels: { "dev.backend-agent.job": job.id },
  });
  try {
    const baseline = await commitBaseline(sandbox);
    const parsed = parseWorkItem(item.body);
    const outcome = await runAgent(
      { messages: deps.messages, workbench: createWorkbench(sandbox) },
      {
        model: settings.model,
        system: buildSystemPrompt(),
        task: buildTaskPrompt({
          repo: job.repo,
          issue: item,
          ...(ctx.parent ? { parent: ctx.parent } : {}),
          acceptanceCriteria: parsed.acceptanceCriteria,
        }),
        budget: settings.budget,
        onEvent: (event) => {
          if (event.type === "tool_call") void log("tool", `#${item.number}: ${event.summary}`);
          if (event.type === "usage") {
            void log(
              "usage",
              `#${item.number}: turn ${event.turn}, ${event.usage.totalTokens} tokens, $${
                event.usage.costUsd.toFixed(4)
              }`,
            );
          }
        },
      },
    );
    await deps.store.saveTrajectory(job.id, item.number, outcome.trajectory);
    if (outcome.status !== "submitted") return { failure: `${outcome.status}: ${outcome.reason}` };
    await log("step", `#${item.number}: work submitted after ${outcome.turns} turns; running tests`);
    const tests = await runTests(sandbox, settings.testCommand);
    await log(
      "test",
      `#${item.number}: ${tests.passed} passed, ${tests.failed} failed (exit ${tests.exitCode})`,
    );
    if (tests.exitCode !== 0) {
      return { failure: `tests_failed: ${tests.command} exited ${tests.exitCode}\n${tests.tail}` };
    }
    const changes = await extractChanges(sandbox, baseline);
    if (changes.length === 0) return { failure: "no_changes: the agent submitted without changing any file" };
    const violations = checkDiffPolicy(changes);
    if (violations.length > 0) {
      return { failure: `diff_rejected: ${violations.map((v) => `${v.path} (${v.rule})`).join("; ")}` };
    }
    await log(
      "step",
      `#${item.number}: ${changes.length} changed files: ${changes.map((c) => c.path).join(", ")}`,
    );
    const branch = branchName(item);
    await deps.github.pushBranch(repo, {
      baseSha: ctx.base.sha,
      branch,
      message: `${pullRequestTitle(item)}\n\nCloses #${item.number}`,
      files: changes,
    });
    const pr = await deps.github.openPullRequest(repo, {
      head: branch,
      base: ctx.base.branch,
      title: pullRequestTitle(item),
      body: renderPullRequestBody({
        issue: item,
        ...(ctx.parent ? { parent: ctx.parent } : {}),
        submission: outcome.submission,
        criteria: parsed.acceptanceCriteria,
        tests: {
          command: tests.command,
          passed: tests.passed,
          failed: tests.failed,
          exitCode: tests.exitCode,
        },
      }),
      draft: settings.draft,
    });
    await log("pr", `#${item.number}: opened pull request #${pr.number} ${pr.url}`);
    return { pullRequest: { issue: item.number, number: pr.number, url: pr.url } };
  } finally {
    await sandbox.dispose();
    await log("step", `#${item.number}: sandbox removed`);
  }
}

function parseRepo(fullName: string): RepoRef {
  const [owner, name] = fullName.split("/");
  return { owner: owner!, name: name! };
}
