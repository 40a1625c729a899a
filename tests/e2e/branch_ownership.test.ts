/**
 * Nothing a person wrote is overwritten: the service moves only a branch whose
 * head commit it made and updates only a pull request it opened; two bases
 * never share a branch (issue faults 6–8).
 */
import { afterEach, describe, expect, test } from "vitest";
import { branchName } from "../../src/github/branch_name.ts";
import {
  addFunctionScript,
  devIssue,
  FIDELITY_REPO,
  fidelityScenario,
  seedFidelityRepo,
} from "./fidelity_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { submitJob } from "./submit_job.ts";

const TITLE = "[dev] Multiply numbers";
const CRITERION = "`mul(a, b)` returns `a * b`";
const ISSUE = devIssue(7, TITLE, CRITERION);

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = await startHarness(
    fidelityScenario("ownership", [addFunctionScript(TITLE, "mul", "*", CRITERION)]),
  );
  seedFidelityRepo(harness.github, [ISSUE]);
  return harness;
}

/**
 * Requests that write to GitHub's branches, pull requests or labels made after `from`. The work item's own
 * progress comment (it says why nothing ran) and the board's GraphQL look-ups are not writes to the
 * person's work.
 */
const writesSince = (h: Harness, from: number) =>
  h.github.requests.slice(from).filter((r) =>
    r.method !== "GET" && !/\/access_tokens|\/issues\/(\d+\/)?comments|^\/graphql/.test(r.path)
  );

describe("a person's work on the agent's branch", () => {
  test("a commit someone pushed onto the agent branch stops a re-run: branch_taken names it, and nothing is written", async () => {
    const h = await start();
    const first = await submitJob(h, { repo: FIDELITY_REPO, issue: 7 });
    expect(first.job.status, first.job.reason).toBe("succeeded");
    const pr = h.github.pulls(FIDELITY_REPO)[0]!;
    const theirs = h.github.pushCommitAs(FIDELITY_REPO, pr.head, {
      files: new Map([["NOTES.md", new TextEncoder().encode("reviewer notes\n")]]),
      message: "Add reviewer notes",
      author: { login: "alice", name: "Alice" },
    });
    const before = h.github.requests.length;
    const again = await submitJob(h, { repo: FIDELITY_REPO, issue: 7 });
    expect(again.job.status).toBe("failed");
    expect(again.job.workItems).toMatchObject([{ issue: 7, status: "branch_taken" }]);
    const reason = again.job.workItems[0]!.reason!;
    expect(reason).toMatch(/^branch_taken: agent\/issue-7-multiply-numbers has commit /);
    expect(reason).toContain(theirs.slice(0, 7));
    expect(reason).toContain('"Add reviewer notes" by alice');
    expect(h.github.branchSha(FIDELITY_REPO, pr.head)).toBe(theirs);
    expect(h.github.pulls(FIDELITY_REPO)[0]).toEqual(pr);
    expect(writesSince(h, before)).toEqual([]);
  });

  test("a person's pull request on the agent's branch name keeps its title, body and commit", async () => {
    const h = await start();
    const branch = branchName(
      {
        number: 7,
        title: TITLE,
        body: "",
        url: "",
        state: "open",
        repo: { owner: "acme", name: "fidelity" },
      },
      { branch: "main", defaultBranch: "main", sha: "", treeSha: "" },
    );
    const theirs = h.github.pushCommitAs(FIDELITY_REPO, branch, {
      files: new Map([["app/core.py", new TextEncoder().encode("# Bob's rewrite\n")]]),
      message: "Bob's own take",
      author: { login: "bob" },
    });
    const number = h.github.openPullRequestAs(FIDELITY_REPO, {
      head: branch,
      base: "main",
      title: "Bob's multiply",
      body: "Written by hand.",
      login: "bob",
    });
    const before = h.github.requests.length;
    const run = await submitJob(h, { repo: FIDELITY_REPO, issue: 7 });
    expect(run.job.workItems).toMatchObject([{ issue: 7, status: "branch_taken" }]);
    expect(run.job.workItems[0]!.reason).toMatch(/^branch_taken: /);
    const pull = h.github.pulls(FIDELITY_REPO).find((p) => p.number === number)!;
    expect(pull).toMatchObject({ title: "Bob's multiply", body: "Written by hand.", author: "bob" });
    expect(h.github.branchSha(FIDELITY_REPO, branch)).toBe(theirs);
    expect(writesSince(h, before)).toEqual([]);
    // Found before any money was spent: no sandbox, no model call.
    expect(run.events.some((e) => e.kind === "sandbox")).toBe(false);
    expect(h.anthropic!.requests).toEqual([]);
  });

  test("a re-run of the service's own work moves its own branch and updates its own PR", async () => {
    const h = await start();
    await submitJob(h, { repo: FIDELITY_REPO, issue: 7 });
    const [pr] = h.github.pulls(FIDELITY_REPO);
    const again = await submitJob(h, { repo: FIDELITY_REPO, issue: 7 });
    expect(again.job.status, again.job.reason).toBe("succeeded");
    const pulls = h.github.pulls(FIDELITY_REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.number).toBe(pr!.number);
    expect(pulls[0]!.body).toContain(`<!-- backend-agent:job=${again.id} -->`);
    expect(h.github.branchHead(FIDELITY_REPO, pr!.head)!.message).toContain(`Backend-Agent-Job: ${again.id}`);
  });
});

describe("two bases", () => {
  test("the same issue against main and release/1.2 gets two branches; the PR to main has nothing from the release", async () => {
    const h = await start();
    const onMain = await submitJob(h, { repo: FIDELITY_REPO, issue: 7 });
    const onRelease = await submitJob(h, { repo: FIDELITY_REPO, issue: 7, base: "release/1.2" });
    expect([onMain.job.status, onRelease.job.status]).toEqual(["succeeded", "succeeded"]);
    const pulls = h.github.pulls(FIDELITY_REPO);
    expect(pulls.map((p) => [p.head, p.base])).toEqual([
      ["agent/issue-7-multiply-numbers", "main"],
      ["agent/issue-7-multiply-numbers--release-1.2", "release/1.2"],
    ]);
    expect(h.github.branchFiles(FIDELITY_REPO, pulls[0]!.head)!.has("RELEASE_ONLY.txt")).toBe(false);
    expect(h.github.branchFiles(FIDELITY_REPO, pulls[1]!.head)!.has("RELEASE_ONLY.txt")).toBe(true);
    expect(pulls[1]!.body).toContain("will not close issue #7");
  });
});
