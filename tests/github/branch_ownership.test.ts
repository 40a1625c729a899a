import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  claimBranch,
  commitMessage,
  isOurPullRequest,
  JOB_TRAILER,
  jobOfCommit,
  PR_LABEL,
  pullRequestMarker,
} from "../../src/github/branch_ownership.ts";
import type { GitHubGateway, OpenPullRequest, RepoRef } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "./client_defaults.ts";

const repo: RepoRef = { owner: "acme", name: "qa" };
const bytes = (value: string) => new TextEncoder().encode(value);

describe("ownership marks", () => {
  test("a commit message ends with a blank line and the job trailer, in git's trailer format", () => {
    expect(JOB_TRAILER).toBe("Backend-Agent-Job");
    expect(commitMessage("Add stats", "Closes #7", "job-42")).toBe(
      "Add stats\n\nCloses #7\n\nBackend-Agent-Job: job-42\n",
    );
    expect(commitMessage("  Add\nstats ", "", "job-42")).toBe("Add stats\n\nBackend-Agent-Job: job-42\n");
  });

  test("the job is read from the trailer block only, as git interpret-trailers reads it", () => {
    expect(jobOfCommit(commitMessage("Add stats", "Closes #7", "job-42"))).toBe("job-42");
    expect(jobOfCommit("Fix\n\nSigned-off-by: A <a@x>\nbackend-agent-job:  job-7\n")).toBe("job-7");
    expect(jobOfCommit("Backend-Agent-Job: job-1")).toBeUndefined();
    expect(jobOfCommit("Fix\n\nBackend-Agent-Job: job-1\n\nThen I changed more.")).toBeUndefined();
    expect(jobOfCommit("Fix\n\nSee Backend-Agent-Job: job-1 above")).toBeUndefined();
  });

  test("a pull request is ours when its body carries the marker", () => {
    expect(PR_LABEL).toBe("backend-agent");
    expect(pullRequestMarker("job-42")).toBe("<!-- backend-agent:job=job-42 -->");
    const pr: OpenPullRequest = {
      number: 1,
      url: "",
      title: "t",
      body: `Body\n\n${pullRequestMarker("job-42")}\n`,
      base: "main",
      author: "agent-runner[bot]",
      labels: [],
    };
    expect(isOurPullRequest(pr)).toBe(true);
    expect(isOurPullRequest({ ...pr, body: "Body", labels: [PR_LABEL] })).toBe(false);
  });
});

describe("claimBranch() over the real gateway and the GitHub stand-in", () => {
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;
  let baseSha: string;

  /** Pushes a commit the service made (with its trailer) on `branch`, as a new branch. */
  async function ourPush(branch: string): Promise<string> {
    const { commitSha } = await gateway.pushBranch(repo, {
      baseSha,
      branch,
      message: commitMessage("Add stats", "Closes #7", "job-1"),
      files: [{ path: "stats.py", content: bytes("def stats(): ...\n") }],
    });
    return commitSha;
  }

  /** Claims `branch` and checks that nothing was written to GitHub meanwhile. */
  async function claim(branch: string) {
    const before = standIn.requests.length;
    const result = await claimBranch(gateway, repo, branch);
    expect(standIn.requests.slice(before).filter((request) => request.method !== "GET")).toEqual([]);
    return result;
  }

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/qa", { defaultBranch: "main", files: new Map([["README.md", bytes("# QA\n")]]) });
    gateway = createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: standIn.token, baseUrl: standIn.url });
    baseSha = (await gateway.resolveBase(repo)).sha;
  });

  afterAll(() => standIn.close());

  test("a branch that does not exist, with no pull request, is free", async () => {
    expect(await claim("agent/issue-7-add-stats")).toEqual({ kind: "free" });
  });

  test("a branch whose head a person pushed is taken, naming the commit and who pushed it", async () => {
    const branch = "agent/issue-7-person-commit";
    await ourPush(branch);
    const sha = standIn.pushCommitAs("acme/qa", branch, {
      files: new Map([["README.md", bytes("# QA!\n")]]),
      message: "Fix typo\n\nMore detail.",
      author: { login: "alice", name: "Alice Doe" },
    });
    expect(await claim(branch)).toEqual({
      kind: "taken",
      reason:
        `branch_taken: ${branch} has commit ${sha.slice(0, 7)} "Fix typo" by alice, which the service ` +
        "did not make (no Backend-Agent-Job trailer); delete or rename the branch to let the agent work on #7",
    });
    expect(standIn.branchHead("acme/qa", branch)?.sha).toBe(sha);
  });

  test("a branch used by a person's pull request is taken, naming the pull request and its author", async () => {
    const branch = "agent/issue-7-person-pr";
    const head = await ourPush(branch);
    const number = standIn.openPullRequestAs("acme/qa", {
      head: branch,
      base: "main",
      title: "Alice's take on stats",
      body: "I finished it by hand",
      login: "alice",
    });
    expect(await claim(branch)).toEqual({
      kind: "taken",
      reason:
        `branch_taken: pull request #${number} "Alice's take on stats" by alice already uses ${branch}; ` +
        "close it and delete or rename the branch to let the agent work on #7",
    });
    expect(standIn.pulls("acme/qa").find((pull) => pull.number === number)).toMatchObject({
      title: "Alice's take on stats",
      body: "I finished it by hand",
      author: "alice",
    });
    expect(standIn.branchSha("acme/qa", branch)).toBe(head);
  });

  test("the service's own earlier push, with its own pull request, is ours", async () => {
    const branch = "agent/issue-7-ours";
    const head = await ourPush(branch);
    expect(await claim(branch)).toEqual({ kind: "ours", headSha: head });
    const opened = await gateway.openPullRequest(repo, {
      head: { repo, branch },
      base: "main",
      title: "Add stats",
      body: `Closes #7\n\n${pullRequestMarker("job-1")}\n`,
      draft: true,
    });
    expect(await claim(branch)).toEqual({
      kind: "ours",
      headSha: head,
      pullRequest: {
        number: opened.number,
        url: opened.url,
        title: "Add stats",
        body: `Closes #7\n\n${pullRequestMarker("job-1")}\n`,
        base: "main",
        author: "agent-runner[bot]",
        labels: [],
      },
    });
  });

  test("a commit of the service without the trailer (made before ownership marks) is not ours", async () => {
    const branch = "agent/issue-8-old";
    const { commitSha } = await gateway.pushBranch(repo, {
      baseSha,
      branch,
      message: "Add stats\n\nCloses #8",
      files: [{ path: "old.py", content: bytes("x\n") }],
    });
    const claimed = await claim(branch);
    expect(claimed).toEqual({
      kind: "taken",
      reason:
        `branch_taken: ${branch} has commit ${commitSha.slice(0, 7)} "Add stats" by agent-runner[bot], ` +
        "which the service did not make (no Backend-Agent-Job trailer); delete or rename the branch to let the " +
        "agent work on #8",
    });
  });
});

describe("claimBranch() in fork mode reads the fork's branch and the pull requests from it", () => {
  const fork: RepoRef = { owner: "bot", name: "qa" };
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;
  let baseSha: string;

  /** Pushes a commit the service made (with its trailer) on `branch` of the fork. */
  async function ourPush(branch: string): Promise<string> {
    const { commitSha } = await gateway.pushBranch(gateway.headRepo(repo), {
      baseSha,
      branch,
      message: commitMessage("Add stats", "Closes #9", "job-1"),
      files: [{ path: "stats.py", content: bytes("def stats(): ...\n") }],
    });
    return commitSha;
  }

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/qa", { defaultBranch: "main", files: new Map([["README.md", bytes("# QA\n")]]) });
    standIn.addFork("acme/qa", "bot/qa");
    gateway = createOctokitGateway({
      ...GITHUB_CLIENT_DEFAULTS,
      token: standIn.token,
      baseUrl: standIn.url,
      headRepo: fork,
    });
    baseSha = (await gateway.resolveBase(repo)).sha;
  });

  afterAll(() => standIn.close());

  test("the head repository is the fork", () => {
    expect(gateway.headRepo(repo)).toEqual(fork);
    expect(
      createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: "t", baseUrl: standIn.url }).headRepo(repo),
    ).toEqual(repo);
  });

  test("a person's commit on the fork's branch makes it taken, naming the fork", async () => {
    const branch = "agent/issue-9-fork-commit";
    await ourPush(branch);
    const sha = standIn.pushCommitAs("bot/qa", branch, {
      files: new Map([["README.md", bytes("# QA!\n")]]),
      message: "Hand edit",
      author: { login: "alice" },
    });
    expect(await claimBranch(gateway, repo, branch)).toEqual({
      kind: "taken",
      reason:
        `branch_taken: bot/qa:${branch} has commit ${sha.slice(0, 7)} "Hand edit" by alice, which the ` +
        "service did not make (no Backend-Agent-Job trailer); delete or rename the branch to let the agent " +
        "work on #9",
    });
    expect(standIn.branchSha("acme/qa", branch)).toBeUndefined();
  });

  test("a branch of the same name in the base, with a person's pull request, is not the fork's: free", async () => {
    const branch = "agent/issue-9-base-namesake";
    standIn.pushCommitAs("acme/qa", branch, {
      files: new Map([["x.txt", bytes("x\n")]]),
      message: "Base work",
      author: { login: "alice" },
    });
    standIn.openPullRequestAs("acme/qa", {
      head: branch,
      base: "main",
      title: "Alice",
      body: "",
      login: "alice",
    });
    expect(await claimBranch(gateway, repo, branch)).toEqual({ kind: "free" });
  });

  test("the service's own push to the fork, with its own pull request from there, is ours", async () => {
    const branch = "agent/issue-9-ours";
    const head = await ourPush(branch);
    const opened = await gateway.openPullRequest(repo, {
      head: { repo: fork, branch },
      base: "main",
      title: "Add stats",
      body: `Closes #9\n\n${pullRequestMarker("job-1")}\n`,
      draft: true,
    });
    expect(standIn.pulls("acme/qa").find((pull) => pull.number === opened.number)?.headRepo).toBe("bot/qa");
    expect(await claimBranch(gateway, repo, branch)).toMatchObject({
      kind: "ours",
      headSha: head,
      pullRequest: { number: opened.number },
    });
  });

  test("a pull request from the fork's branch without the service's marker makes it taken", async () => {
    const branch = "agent/issue-9-foreign-pr";
    await ourPush(branch);
    const opened = await gateway.openPullRequest(repo, {
      head: { repo: fork, branch },
      base: "main",
      title: "Someone's PR",
      body: "no marker",
      draft: false,
    });
    expect(await claimBranch(gateway, repo, branch)).toEqual({
      kind: "taken",
      reason:
        `branch_taken: pull request #${opened.number} "Someone's PR" by agent-runner[bot] already uses ` +
        `bot/qa:${branch}; close it and delete or rename the branch to let the agent work on #9`,
    });
  });
});
