/**
 * One follow-up round trip from GitHub's events only: a label delivery starts the work item and its
 * pull request opens; a reviewer's comment on the diff that mentions the bot arrives as a signed
 * `pull_request_review_comment` delivery, becomes a follow-up job, and ends as a second commit on the same
 * branch of the same pull request, the body updated and a reply in the comment's thread.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { taskStatsScenario } from "../../examples/scenarios/task_stats.ts";
import { bash, PYTEST, replace, turn } from "../../examples/scenarios/script_helpers.ts";
import type { Scenario } from "../../examples/scenario.ts";
import { type Harness, startHarness, waitForJob } from "./harness.ts";

const REPO = taskStatsScenario.repo.fullName;
const ASK = "@agent-runner please say in the router's docstring that only the caller's own tasks count";
const DOC_ANCHOR = `    """Counts the caller's tasks: total, done and open."""\n`;
const DOC = `    """Counts the caller's tasks: total, done and open.

    Only the caller's own tasks count.
    """\n`;
const CRITERIA = taskStatsScenario.issues[0]!.body.split("\n").flatMap((line) =>
  line.startsWith("- [ ] ") ? [line.slice(6)] : []
);

const scenario: Scenario = {
  ...taskStatsScenario,
  name: "webhook follow-up",
  scripts: [
    {
      match: "only the caller's own tasks count",
      turns: [
        replace("/workspace/app/routers/stats.py", DOC_ANCHOR, DOC, "Documenting the scope."),
        bash(PYTEST),
        turn("submit_work", {
          summary: "Says in the router's docstring that only the caller's own tasks count.",
          api_changes: "None: GET /v1/tasks/stats is unchanged.",
          auth_and_validation: "Unchanged: the route depends on get_current_user.",
          acceptance_criteria: CRITERIA.map((criterion) => ({
            criterion,
            evidence: "Unchanged since the first commit; the router's docstring now names the scope.",
          })),
          follow_ups: "None.",
        }),
      ],
    },
    ...taskStatsScenario.scripts,
  ],
};

type ListedJob = { id: string; issue: number; pull?: number; submitter?: string };

describe("a follow-up round trip driven by webhook deliveries", () => {
  let harness: Harness;
  const jobs = async () =>
    ((await (await fetch(`${harness.apiUrl}/v1/jobs?limit=100`)).json()) as { jobs: ListedJob[] }).jobs;
  const finished = async (pick: (jobs: ListedJob[]) => ListedJob | undefined) => {
    for (let i = 0; i < 1200; i++) {
      const job = pick(await jobs());
      if (job) return await waitForJob(harness.apiUrl, job.id);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("no job was queued");
  };
  let firstHead: string;
  let branch: string;
  let pull: number;
  let commentId: number;
  let followUp: Record<string, unknown>;

  beforeAll(async () => {
    harness = await startHarness(scenario);
    harness.github.grantRole(REPO, "maria", "write");
    harness.github.grantRole(REPO, "rosa", "write");
    await harness.github.labelIssueAs(REPO, 12, "agent", "maria");
    const first = await finished((all) => all.find((j) => j.issue === 12));
    expect(first.status, String(first.reason)).toBe("succeeded");
    const opened = harness.github.pulls(REPO);
    expect(opened).toHaveLength(1);
    pull = opened[0]!.number;
    branch = opened[0]!.head;
    firstHead = harness.github.branchSha(REPO, branch)!;
    const asked = await harness.github.reviewCommentAs(REPO, pull, {
      login: "rosa",
      path: "app/routers/stats.py",
      line: 1,
      body: ASK,
    });
    expect(asked.delivery.status).toBe(202);
    commentId = asked.id;
    followUp = await finished((all) => all.find((j) => j.pull === pull));
  }, 600_000);

  afterAll(() => harness?.close());

  test("the comment's delivery became a follow-up job for the reviewer, and it succeeded", () => {
    expect(followUp.status, String(followUp.reason)).toBe("succeeded");
    expect(followUp).toMatchObject({
      pull,
      submitter: "github:rosa",
      instructions: ASK,
      comment: { kind: "review_comment", id: commentId },
    });
  });

  test("a second commit on the same branch of the same pull request, fast-forward from the first", async () => {
    const pulls = harness.github.pulls(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.number).toBe(pull);
    const head = harness.github.branchSha(REPO, branch)!;
    expect(head).not.toBe(firstHead);
    const commit = await (await fetch(`${harness.github.url}/repos/${REPO}/git/commits/${head}`, {
      headers: { authorization: `token ${harness.github.token}` },
    })).json() as { parents: Array<{ sha: string }> };
    expect(commit.parents.map((p) => p.sha)).toEqual([firstHead]);
    const router = new TextDecoder().decode(
      harness.github.branchFiles(REPO, branch)!.get("app/routers/stats.py"),
    );
    expect(router).toContain("Only the caller's own tasks count.");
  });

  test("a reply in the review comment's thread says what changed", () => {
    const replies = harness.github.reviewComments(REPO, pull).filter((c) => c.inReplyTo === commentId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.author).toBe("agent-runner[bot]");
  });
});
