import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitHubError } from "../../src/errors.ts";
import type { GitHubGateway, RepoRef } from "../../src/github/gateway.ts";
import { gitBlobSha } from "../../src/github/git_object_id.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "./client_defaults.ts";

const repo: RepoRef = { owner: "acme", name: "app" };
const bytes = (value: string) => new TextEncoder().encode(value);
const SUBMODULE = "1234567890abcdef1234567890abcdef12345678";
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, n) => n);
const writes = (standIn: GitHubStandIn, from: number) =>
  standIn.requests.slice(from).filter((request) => request.method !== "GET");

describe("the gateway's trees, blobs, branch heads and pull requests against the GitHub stand-in", () => {
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/app", {
      defaultBranch: "main",
      files: new Map([
        ["README.md", bytes("# App\n")],
        ["app/main.py", bytes("print('hi')\n")],
        ["assets/logo.bin", ALL_BYTES],
        ["bin/run", bytes("#!/bin/sh\n")],
        ["link", bytes("app/main.py")],
      ]),
      modes: new Map([["bin/run", "100755"], ["link", "120000"]]),
      gitlinks: new Map([["vendor/lib", SUBMODULE]]),
    });
    standIn.addRepo("acme/other", { defaultBranch: "trunk", files: new Map([["x", bytes("x")]]) });
    standIn.addIssue("acme/other", { number: 3, title: "[dev] Shared client", body: "" });
    standIn.addIssue("acme/app", { number: 1, title: "Epic", body: "", subIssues: [2, "acme/other#3"] });
    standIn.addIssue("acme/app", { number: 2, title: "[dev] Done already", body: "", state: "closed" });
    gateway = createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: standIn.token, baseUrl: standIn.url });
  });

  afterAll(() => standIn.close());

  test("resolveBase() returns the commit's root tree and the repository's default branch", async () => {
    const base = await gateway.resolveBase({ owner: "acme", name: "other" });
    expect(base).toEqual({
      branch: "trunk",
      sha: standIn.branchSha("acme/other", "trunk"),
      treeSha: expect.stringMatching(/^[0-9a-f]{40}$/),
      defaultBranch: "trunk",
    });
    const tree = await gateway.getTree({ owner: "acme", name: "other" }, base.treeSha);
    expect(tree.map((entry) => entry.path)).toEqual(["x"]);
  });

  test("getTree() lists every entry recursively, with git's modes, types, blob ids and sizes", async () => {
    const { treeSha } = await gateway.resolveBase(repo);
    const entries = await gateway.getTree(repo, treeSha);
    const folder = (path: string) => ({
      path,
      mode: "040000",
      type: "tree",
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const blob = (path: string, content: Uint8Array, mode = "100644") => ({
      path,
      mode,
      type: "blob",
      sha: gitBlobSha(content),
      size: content.byteLength,
    });
    expect(entries).toEqual([
      blob("README.md", bytes("# App\n")),
      folder("app"),
      blob("app/main.py", bytes("print('hi')\n")),
      folder("assets"),
      blob("assets/logo.bin", ALL_BYTES),
      folder("bin"),
      blob("bin/run", bytes("#!/bin/sh\n"), "100755"),
      blob("link", bytes("app/main.py"), "120000"),
      folder("vendor"),
      { path: "vendor/lib", mode: "160000", type: "commit", sha: SUBMODULE },
    ]);
    const request = standIn.requests.findLast((r) => r.path.includes("/git/trees/"));
    expect(request?.path).toBe(`/repos/acme/app/git/trees/${treeSha}?recursive=1`);
  });

  test("getTree() refuses a listing GitHub truncated, naming GitHub's cap", async () => {
    const small = await startGitHubStandIn({ treeEntryLimit: 3 });
    try {
      small.addRepo("acme/big", {
        defaultBranch: "main",
        files: new Map(["a", "b", "c", "d"].map((name) => [`src/${name}.py`, bytes(name)])),
      });
      const big = { owner: "acme", name: "big" };
      const limited = createOctokitGateway({
        ...GITHUB_CLIENT_DEFAULTS,
        token: small.token,
        baseUrl: small.url,
      });
      const { treeSha } = await limited.resolveBase(big);
      const error = await limited.getTree(big, treeSha).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GitHubError);
      expect((error as Error).message).toBe(
        `Cannot read tree ${treeSha} of acme/big: the tree of acme/big has more entries than GitHub lists in ` +
          "one call (100,000 entries or 7 MB), so the service cannot read it whole",
      );
    } finally {
      await small.close();
    }
  });

  test("getBlob() returns a blob's exact bytes, binary ones included", async () => {
    expect(await gateway.getBlob(repo, gitBlobSha(ALL_BYTES))).toEqual(ALL_BYTES);
    expect(await gateway.getBlob(repo, gitBlobSha(bytes("app/main.py")))).toEqual(bytes("app/main.py"));
    const large = Uint8Array.from({ length: 50_000 }, (_, n) => (n * 7919) % 256);
    const { sha: baseSha } = await gateway.resolveBase(repo);
    await gateway.pushBranch(repo, {
      baseSha,
      branch: "blob-test",
      message: "large",
      files: [{ path: "large.bin", content: large }],
    });
    const read = await gateway.getBlob(repo, gitBlobSha(large));
    expect(read.byteLength).toBe(50_000);
    expect(read).toEqual(large);
    await expect(gateway.getBlob(repo, "0".repeat(40))).rejects.toThrow(
      `Cannot read blob ${"0".repeat(40)} of acme/app: GitHub answered 404 Not Found`,
    );
  });

  test("getBranchHead() reads the head commit's message and author, or undefined for no branch", async () => {
    expect(await gateway.getBranchHead(repo, "agent/none")).toBeUndefined();
    expect(await gateway.getBranchHead(repo, "main")).toEqual({
      sha: standIn.branchSha("acme/app", "main"),
      message: "Initial commit",
      authorName: "Scenario Author",
    });
    const sha = standIn.pushCommitAs("acme/app", "people/alice", {
      files: new Map([["README.md", bytes("# App!\n")]]),
      message: "Fix typo\n\nSigned-off-by: Alice Doe <alice@example.com>\n",
      author: { login: "alice", name: "Alice Doe" },
    });
    expect(await gateway.getBranchHead(repo, "people/alice")).toEqual({
      sha,
      message: "Fix typo\n\nSigned-off-by: Alice Doe <alice@example.com>\n",
      authorName: "Alice Doe",
      authorLogin: "alice",
    });
    const { sha: baseSha } = await gateway.resolveBase(repo);
    const ours = await gateway.pushBranch(repo, {
      baseSha,
      branch: "agent/issue-9-head",
      message: "Ours",
      files: [{ path: "n.txt", content: bytes("n") }],
    });
    expect(await gateway.getBranchHead(repo, "agent/issue-9-head")).toMatchObject({
      sha: ours.commitSha,
      authorLogin: "agent-runner[bot]",
    });
  });

  test("pushBranch() never creates a branch over one that exists, and writes no ref", async () => {
    const branch = "agent/issue-10-race";
    const theirs = standIn.pushCommitAs("acme/app", branch, {
      files: new Map([["theirs.txt", bytes("mine")]]),
      message: "Their work",
      author: { login: "bob" },
    });
    const { sha: baseSha } = await gateway.resolveBase(repo);
    const before = standIn.requests.length;
    const error = await gateway.pushBranch(repo, {
      baseSha,
      branch,
      message: "Ours",
      files: [{ path: "ours.txt", content: bytes("ours") }],
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Cannot create branch "${branch}" of acme/app at [0-9a-f]{40}: branch "${branch}" was created by ` +
          "someone else meanwhile; it was left as it is$",
      ),
    );
    expect(standIn.branchSha("acme/app", branch)).toBe(theirs);
    expect(writes(standIn, before).filter((r) => r.path.includes("/git/refs/"))).toEqual([]);
  });

  test("pushBranch() refuses to move a branch whose head moved since it was read", async () => {
    const branch = "agent/issue-11-moved";
    const { sha: baseSha } = await gateway.resolveBase(repo);
    const ours = await gateway.pushBranch(repo, {
      baseSha,
      branch,
      message: "Ours",
      files: [{ path: "ours.txt", content: bytes("1") }],
    });
    const theirs = standIn.pushCommitAs("acme/app", branch, {
      files: new Map([["theirs.txt", bytes("2")]]),
      message: "Pushed on top",
      author: { login: "carol" },
    });
    const before = standIn.requests.length;
    await expect(gateway.pushBranch(repo, {
      baseSha,
      branch,
      message: "Ours again",
      files: [{ path: "ours.txt", content: bytes("3") }],
      expectedHeadSha: ours.commitSha,
    })).rejects.toThrow(`branch ${branch} moved from ${ours.commitSha} to ${theirs} meanwhile`);
    expect(standIn.branchSha("acme/app", branch)).toBe(theirs);
    expect(writes(standIn, before).filter((r) => r.method === "PATCH")).toEqual([]);
  });

  test("listOpenPullRequests() finds open pull requests by head branch, with author and labels", async () => {
    const branch = "feature/shared";
    standIn.pushCommitAs("acme/app", branch, {
      files: new Map([["f.txt", bytes("f")]]),
      message: "Feature",
      author: { login: "dana" },
    });
    const number = standIn.openPullRequestAs("acme/app", {
      head: branch,
      base: "main",
      title: "Dana's feature",
      body: "Please review",
      login: "dana",
      labels: ["enhancement"],
    });
    expect(await gateway.listOpenPullRequests(repo, { repo, branch })).toEqual([{
      number,
      url: `${standIn.url}/acme/app/pull/${number}`,
      title: "Dana's feature",
      body: "Please review",
      base: "main",
      author: "dana",
      labels: ["enhancement"],
    }]);
    expect(await gateway.listOpenPullRequests(repo, { repo, branch: "feature" })).toEqual([]);
    const request = standIn.requests.findLast((r) => r.path.startsWith("/repos/acme/app/pulls?"));
    const query = new URL(`http://x${request?.path}`).searchParams;
    expect(query.get("head")).toBe("acme:feature");
    expect(query.get("state")).toBe("open");
  });

  test("updatePullRequest() rewrites title and body; addLabels() adds labels, creating new ones", async () => {
    const branch = "agent/issue-12-update";
    const { sha: baseSha } = await gateway.resolveBase(repo);
    await gateway.pushBranch(repo, {
      baseSha,
      branch,
      message: "Work",
      files: [{ path: "w.txt", content: bytes("w") }],
    });
    const opened = await gateway.openPullRequest(repo, {
      head: { repo, branch },
      base: "main",
      title: "First",
      body: "one",
      draft: false,
    });
    const updated = await gateway.updatePullRequest(repo, opened.number, { title: "Second", body: "two" });
    expect(updated).toEqual(opened);
    const before = standIn.requests.length;
    await gateway.addLabels(repo, opened.number, []);
    expect(standIn.requests.length).toBe(before);
    await gateway.addLabels(repo, opened.number, ["backend-agent"]);
    await gateway.addLabels(repo, opened.number, ["backend-agent", "needs-review"]);
    expect(standIn.pulls("acme/app").find((pull) => pull.number === opened.number)).toMatchObject({
      title: "Second",
      body: "two",
      author: "agent-runner[bot]",
      labels: ["backend-agent", "needs-review"],
    });
    expect((await gateway.listOpenPullRequests(repo, { repo, branch }))[0]?.labels).toEqual([
      "backend-agent",
      "needs-review",
    ]);
    await expect(gateway.updatePullRequest(repo, 999, { title: "x", body: "y" })).rejects.toThrow(
      "Cannot update pull request #999 of acme/app: GitHub answered 404 Not Found",
    );
  });

  test("sub-issues carry their own repository and state", async () => {
    const children = await gateway.listSubIssues(repo, 1);
    expect(children.map(({ number, state, repo }) => ({ number, state, repo }))).toEqual([
      { number: 2, state: "closed", repo: { owner: "acme", name: "app" } },
      { number: 3, state: "open", repo: { owner: "acme", name: "other" } },
    ]);
    expect(children[1]?.url).toBe(`${standIn.url}/acme/other/issues/3`);
  });
});
