import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { taskStatsScenario } from "../../examples/scenarios/task_stats.ts";
import { bash, replace, turn } from "../../examples/scenarios/script_helpers.ts";
import type { ModelScript, Scenario } from "../../examples/scenario.ts";
import { followUpFromComment } from "../../src/github/follow_up_trigger.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import type { GitHubGateway } from "../../src/github/gateway.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type FinishedJob, submitJob } from "./submit_job.ts";
import { waitForJob } from "./harness.ts";
import { GITHUB_CLIENT_DEFAULTS } from "../github/client_defaults.ts";

const REPO = taskStatsScenario.repo.fullName;
const repo = { owner: "acme", name: "task-service" };
const BOT = "agent-runner[bot]";
const REVIEWER = "rosa-reviewer";
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

const CRITERIA = taskStatsScenario.issues[0]!.body.split("\n").flatMap((line) =>
  line.startsWith("- [ ] ") ? [line.slice(6)] : []
);

const REVIEW_ASK = "@agent-runner please also cover a task that is marked done and then reopened";
const API_ASK = "Document in the router that the counts cover only the caller's own tasks";

const ZERO_TEST_ANCHOR = `def test_count_tasks_is_zero_for_a_user_without_tasks(service: TaskService) -> None:
    stats = service.count_tasks("nobody")
    assert (stats.total, stats.done, stats.open) == (0, 0, 0)
`;
const REOPENED_TEST = `${ZERO_TEST_ANCHOR}

def test_count_tasks_counts_a_reopened_task_as_open(service: TaskService) -> None:
    task = service.create_task("alice", "A")
    service.set_done("alice", task.id, True)
    service.set_done("alice", task.id, False)

    stats = service.count_tasks("alice")

    assert (stats.total, stats.done, stats.open) == (1, 0, 1)
`;
const ROUTER_DOC_ANCHOR = `    """Counts the caller's tasks: total, done and open."""\n`;
const ROUTER_DOC = `    """Counts the caller's tasks: total, done and open.

    Only the caller's own tasks count: the owner is the verified token's user.
    """\n`;

function submission(summary: string, evidence: string) {
  return {
    summary,
    api_changes: "None: GET /v1/tasks/stats is unchanged.",
    auth_and_validation: "Unchanged: the route depends on get_current_user.",
    acceptance_criteria: CRITERIA.map((criterion, i) => ({
      criterion,
      evidence: i === 3 ? evidence : "Unchanged since the first commit of this pull request.",
    })),
    follow_ups: "None.",
  };
}

/**
 * The model's follow-up runs, matched by what was asked, listed before the work item's own script (a
 * follow-up's prompt holds the work item too); the API's first, as its prompt also shows the earlier thread.
 */
const followUpScripts: ModelScript[] = [
  {
    match: "cover only the caller's own tasks",
    turns: [
      replace("/workspace/app/routers/stats.py", ROUTER_DOC_ANCHOR, ROUTER_DOC, "Documenting the scope."),
      bash("cd /workspace && python3 -m pytest -q -p no:cacheprovider"),
      turn(
        "submit_work",
        submission(
          "Documents that the statistics count only the caller's own tasks.",
          "The router's docstring names the scope; tests/routers/test_stats.py covers it.",
        ),
      ),
    ],
  },
  {
    match: "marked done and then reopened",
    turns: [
      replace(
        "/workspace/tests/services/test_task_service.py",
        ZERO_TEST_ANCHOR,
        REOPENED_TEST,
        "Adding the case.",
      ),
      bash("cd /workspace && python3 -m pytest -q -p no:cacheprovider"),
      turn(
        "submit_work",
        submission(
          "Adds a service test for a task marked done and then reopened, as asked in review.",
          "tests/services/test_task_service.py::test_count_tasks_counts_a_reopened_task_as_open covers a reopened task.",
        ),
      ),
    ],
  },
];

const scenario: Scenario = {
  ...taskStatsScenario,
  name: "follow-up",
  scripts: [...followUpScripts, ...taskStatsScenario.scripts],
};

let harness: Harness;
let github: GitHubGateway;
let pull: number;
let branch: string;

async function commitParents(sha: string): Promise<string[]> {
  const response = await fetch(`${harness.github.url}/repos/${REPO}/git/commits/${sha}`, {
    headers: { authorization: `token ${harness.github.token}` },
  });
  return ((await response.json()) as { parents: Array<{ sha: string }> }).parents.map((p) => p.sha);
}

/** `POST /v1/jobs` with a follow-up body (202 expected), then waits until the job is final. */
async function submitFollowUp(body: Record<string, unknown>): Promise<FinishedJob> {
  const response = await fetch(`${harness.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(202);
  const { id } = await response.json() as { id: string };
  const events: FinishedJob["events"] = [];
  const job = await waitForJob(harness.apiUrl, id, { onEvent: (e) => events.push(e) });
  return { id, job: job as FinishedJob["job"], events };
}

beforeAll(async () => {
  harness = await startHarness(scenario);
  github = createOctokitGateway({
    ...GITHUB_CLIENT_DEFAULTS,
    token: harness.github.token,
    baseUrl: harness.github.url,
  });
  const first = await submitJob(harness, { repo: REPO, issue: 12 });
  expect(first.job.status, String(first.job.reason)).toBe("succeeded");
  const opened = harness.github.pulls(REPO);
  expect(opened).toHaveLength(1);
  pull = opened[0]!.number;
  branch = opened[0]!.head;
}, 600_000);

afterAll(() => harness?.close());

describe("follow-ups on the service's pull request", () => {
  test("a comment without the mention, or the service's own comment, starts nothing", async () => {
    const comment = { kind: "review_comment" as const, id: 1, author: REVIEWER };
    const plain = await followUpFromComment(github, {
      repo,
      pull,
      botLogin: BOT,
      comment: { ...comment, body: "Looks good, but please also cover a reopened task." },
    });
    expect(plain).toEqual({
      kind: "ignore",
      reason: expect.stringContaining("neither mentions @agent-runner"),
    });
    const inWord = await followUpFromComment(github, {
      repo,
      pull,
      botLogin: BOT,
      comment: { ...comment, body: "mail me at rosa@agent-runner or ping @agent-runners" },
    });
    expect(inWord.kind).toBe("ignore");
    const own = await followUpFromComment(github, {
      repo,
      pull,
      botLogin: BOT,
      comment: { ...comment, author: BOT, body: "@agent-runner done" },
    });
    expect(own).toEqual({ kind: "ignore", reason: "the comment is the service's own" });
  });

  test("a pull request a person opened starts nothing, even with the mention", async () => {
    harness.github.pushCommitAs(REPO, "rosa/notes", {
      files: new Map([["NOTES.md", new TextEncoder().encode("notes\n")]]),
      message: "Notes",
      author: { login: REVIEWER },
    });
    const theirs = harness.github.openPullRequestAs(REPO, {
      head: "rosa/notes",
      base: "main",
      title: "Notes",
      body: "Some notes",
      login: REVIEWER,
    });
    const decision = await followUpFromComment(github, {
      repo,
      pull: theirs,
      botLogin: BOT,
      comment: { kind: "issue_comment", id: 5, author: REVIEWER, body: "/agent tidy this up" },
    });
    expect(decision).toEqual({
      kind: "ignore",
      reason: `pull request #${theirs} was not opened by the service`,
    });
  });

  test(
    "a review comment with the mention: a second commit on the same branch over a person's commit, the same PR, its body updated, a reply in the thread",
    async () => {
      // A person pushed onto the service's branch after its commit: the follow-up keeps it.
      const personSha = harness.github.pushCommitAs(REPO, branch, {
        files: new Map([["docs/stats.md", new TextEncoder().encode("# Task statistics\n")]]),
        message: "Describe the statistics endpoint",
        author: { login: REVIEWER },
      });
      const before = harness.github.pulls(REPO)[0]!.body;
      const commentId = harness.github.addReviewComment(REPO, pull, {
        login: REVIEWER,
        path: "app/services/task_service.py",
        line: 60,
        body: REVIEW_ASK,
      });
      const decision = await followUpFromComment(github, {
        repo,
        pull,
        botLogin: BOT,
        comment: { kind: "review_comment", id: commentId, author: REVIEWER, body: REVIEW_ASK },
      });
      expect(decision).toEqual({
        kind: "start",
        request: {
          repo: REPO,
          issue: pull,
          pull,
          instructions: REVIEW_ASK,
          comment: { kind: "review_comment", id: commentId },
        },
      });
      if (decision.kind !== "start") return;
      const { issue: _, ...body } = decision.request;
      const { job, events } = await submitFollowUp(body);
      expect(job.status, String(job.reason)).toBe("succeeded");
      expect(job).toMatchObject({
        pull,
        instructions: REVIEW_ASK,
        comment: { kind: "review_comment", id: commentId },
      });
      expect(job.pullRequests).toEqual([{ issue: 12, number: pull, url: expect.any(String) }]);
      expect(events.some((e) => e.kind === "step" && e.message.includes(`follow-up on #${pull}`))).toBe(true);

      const pulls = harness.github.pulls(REPO).filter((p) => p.head === branch);
      expect(pulls).toHaveLength(1);
      expect(pulls[0]!.number).toBe(pull);
      const head = harness.github.branchSha(REPO, branch)!;
      expect(await commitParents(head)).toEqual([personSha]);
      const files = harness.github.branchFiles(REPO, branch)!;
      expect(text(files.get("docs/stats.md"))).toBe("# Task statistics\n");
      expect(text(files.get("tests/services/test_task_service.py"))).toContain("reopened_task_as_open");
      expect(text(files.get("app/routers/stats.py"))).toContain("def get_task_stats");
      // Fast-forward only: no ref update was forced.
      const forced = harness.github.requests.filter((r) =>
        r.method === "PATCH" && r.path.includes("/git/refs/") &&
        (r.body as { force?: boolean }).force === true
      );
      expect(forced).toEqual([]);

      const after = pulls[0]!.body;
      expect(after).not.toBe(before);
      expect(after).toContain("test_count_tasks_counts_a_reopened_task_as_open");
      expect(after).toContain("Closes #12");
      expect(after).toContain("<!-- backend-agent:job=");

      const thread = harness.github.reviewComments(REPO, pull);
      expect(thread).toHaveLength(2);
      const reply = thread[1]!;
      expect(reply).toMatchObject({
        inReplyTo: commentId,
        author: BOT,
        path: "app/services/task_service.py",
      });
      expect(reply.body).toContain(`Pushed ${head.slice(0, 7)} onto`);
      expect(reply.body).toContain("`tests/services/test_task_service.py`");
      expect(reply.body).toContain("Tests pass");

      // The model saw the thread with its file and line, fenced, and the mapping the body showed.
      const prompts = harness.anthropic!.requests.map((r) =>
        JSON.stringify((r as { messages: Array<{ content: unknown }> }).messages[0]!.content)
      );
      const prompt = prompts.find((p) => p.includes("marked done and then reopened"))!;
      expect(prompt).toContain('<review_thread path=\\"app/services/task_service.py\\" line=\\"60\\">');
      expect(prompt).toContain("<follow_up_request>");
      expect(prompt).toContain("<current_criteria_mapping>");
      expect(prompt).toContain("TaskService.count_tasks");
    },
    600_000,
  );

  test(
    "POST /v1/jobs {repo, pull, instructions}: another commit on the same pull request and a comment on it",
    async () => {
      const before = harness.github.branchSha(REPO, branch)!;
      const { job } = await submitFollowUp({ repo: REPO, pull, instructions: API_ASK });
      expect(job.status, String(job.reason)).toBe("succeeded");
      const head = harness.github.branchSha(REPO, branch)!;
      expect(await commitParents(head)).toEqual([before]);
      expect(text(harness.github.branchFiles(REPO, branch)!.get("app/routers/stats.py"))).toContain(
        "Only the caller's own tasks count",
      );
      expect(harness.github.pulls(REPO).filter((p) => p.head === branch).map((p) => p.number)).toEqual([
        pull,
      ]);
      expect(harness.github.pulls(REPO)[0]!.body).toContain("The router's docstring names the scope");
      const replies = harness.github.issueComments(REPO, pull);
      expect(replies.at(-1)!.versions.at(-1)).toContain(`Pushed ${head.slice(0, 7)} onto`);
    },
    600_000,
  );

  test(
    "on a closed pull request: the comment starts nothing and an API follow-up fails without touching it",
    async () => {
      harness.github.closePull(REPO, pull);
      const head = harness.github.branchSha(REPO, branch);
      const thread = harness.github.reviewComments(REPO, pull).length;
      const comments = harness.github.issueComments(REPO, pull).length;
      const decision = await followUpFromComment(github, {
        repo,
        pull,
        botLogin: BOT,
        comment: { kind: "issue_comment", id: 9, author: REVIEWER, body: "@agent-runner one more thing" },
      });
      expect(decision).toEqual({ kind: "ignore", reason: `pull request #${pull} is closed` });
      const { job } = await submitFollowUp({ repo: REPO, pull, instructions: "one more thing" });
      expect(job.status).toBe("failed");
      expect(job.reason).toBe(`pull request #${pull} is closed; reopen it for a follow-up`);
      expect(harness.github.branchSha(REPO, branch)).toBe(head);
      expect(harness.github.reviewComments(REPO, pull)).toHaveLength(thread);
      expect(harness.github.issueComments(REPO, pull)).toHaveLength(comments);
    },
    600_000,
  );
});
