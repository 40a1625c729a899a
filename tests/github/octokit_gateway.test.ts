import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitHubError } from "../../src/errors.ts";
import type { GitHubGateway, RepoRef } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { type GitHubStandIn, seedFromScenario, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { readTarball } from "./read_tarball.ts";
import { GITHUB_CLIENT_DEFAULTS } from "./client_defaults.ts";

const repo: RepoRef = { owner: "acme", name: "tasks" };
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

describe("createOctokitGateway() against the GitHub stand-in", () => {
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;
  let projectRoot: string;

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    projectRoot = await Deno.makeTempDir({ prefix: "github-gateway-test-" });
    const dir = `${projectRoot}/target`;
    await Deno.mkdir(`${dir}/app/__pycache__`, { recursive: true });
    await Deno.mkdir(`${dir}/tests`, { recursive: true });
    await Deno.mkdir(`${dir}/.pytest_cache`, { recursive: true });
    await Deno.writeTextFile(`${dir}/app/main.py`, "from fastapi import FastAPI\napp = FastAPI()\n");
    await Deno.writeTextFile(`${dir}/app/__pycache__/main.cpython-311.pyc`, "junk");
    await Deno.writeTextFile(`${dir}/.pytest_cache/README.md`, "junk");
    await Deno.writeTextFile(`${dir}/tests/test_main.py`, "def test_ok():\n    assert True\n");
    await Deno.writeTextFile(`${dir}/README.md`, "# Tasks\n");
    await Deno.writeTextFile(`${dir}/run.sh`, "#!/bin/sh\npytest -q\n");
    await Deno.chmod(`${dir}/run.sh`, 0o755);
    const subIssues = Array.from({ length: 105 }, (_, index) => 200 + index);
    await seedFromScenario(standIn, {
      name: "gateway",
      repo: { fullName: "acme/tasks", dir: "target", defaultBranch: "main" },
      issues: [
        { number: 7, title: "Task API", body: "Parent", subIssues: [12, 13] },
        {
          number: 12,
          title: "[dev] Add GET /tasks/{id}",
          body: "## Acceptance criteria\n- [ ] 404 when missing",
        },
        { number: 13, title: "[ops] Deploy", body: "" },
        { number: 50, title: "Big parent", body: "", subIssues },
        ...subIssues.map((number) => ({ number, title: `[dev] Item ${number}`, body: "" })),
      ],
      jobIssue: 7,
      scripts: [],
    }, projectRoot);
    gateway = createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: standIn.token, baseUrl: standIn.url });
  });

  afterAll(async () => {
    await standIn.close();
    await Deno.remove(projectRoot, { recursive: true });
  });

  test("seedFromScenario() skips caches and keeps the executable bit", () => {
    const files = standIn.branchFiles("acme/tasks", "main");
    expect([...(files?.keys() ?? [])].sort()).toEqual([
      "README.md",
      "app/main.py",
      "run.sh",
      "tests/test_main.py",
    ]);
    expect(standIn.branchModes("acme/tasks", "main")?.get("run.sh")).toBe("100755");
  });

  test("getIssue() returns number, title, body, the html URL, its state and its repository", async () => {
    const issue = await gateway.getIssue(repo, 12);
    expect(issue).toEqual({
      number: 12,
      title: "[dev] Add GET /tasks/{id}",
      body: "## Acceptance criteria\n- [ ] 404 when missing",
      url: `${standIn.url}/acme/tasks/issues/12`,
      state: "open",
      repo: { owner: "acme", name: "tasks" },
    });
  });

  test("getIssue() of a missing issue is a GitHubError naming the issue and GitHub's status", async () => {
    const error = await gateway.getIssue(repo, 99).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).message).toBe(
      "Cannot read issue #99 of acme/tasks: GitHub answered 404 Not Found",
    );
    expect((error as GitHubError).cause).toBeDefined();
  });

  test("listSubIssues() returns the sub-issues in order", async () => {
    const items = await gateway.listSubIssues(repo, 7);
    expect(items.map((item) => item.number)).toEqual([12, 13]);
  });

  test("listSubIssues() follows GitHub's pagination", async () => {
    const items = await gateway.listSubIssues(repo, 50);
    expect(items).toHaveLength(105);
    expect(items[104]?.number).toBe(304);
    expect(standIn.requests.filter((request) => request.path.includes("/issues/50/sub_issues"))).toHaveLength(
      2,
    );
  });

  test("resolveBase() uses the default branch, or the named one", async () => {
    const base = await gateway.resolveBase(repo);
    expect(base.branch).toBe("main");
    expect(base.defaultBranch).toBe("main");
    expect(base.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(base.sha).toBe(standIn.branchSha("acme/tasks", "main"));
    const commit = await (await fetch(`${standIn.url}/repos/acme/tasks/git/commits/${base.sha}`, {
      headers: { authorization: `token ${standIn.token}` },
    })).json();
    expect(base.treeSha).toBe(commit.tree.sha);
    expect(await gateway.resolveBase(repo, "main")).toEqual(base);
    await expect(gateway.resolveBase(repo, "nope")).rejects.toThrow(
      'Cannot resolve branch "nope" of acme/tasks: GitHub answered 404 Not Found',
    );
  });

  test("downloadTarball() streams a gzip tarball with GitHub's single top folder", async () => {
    const { sha } = await gateway.resolveBase(repo);
    const stream = await gateway.downloadTarball(repo, sha);
    expect(stream).toBeInstanceOf(ReadableStream);
    const [forTar, forRaw] = stream.tee();
    const entries = await readTarball(forTar);
    const raw = gunzipSync(new Uint8Array(await new Response(forRaw).arrayBuffer()));
    expect(text(raw.subarray(0, 17))).toBe("pax_global_header");
    expect(String.fromCharCode(raw[156] ?? 0)).toBe("g");
    expect(text(raw.subarray(512, 564))).toBe(`52 comment=${sha}\n`);
    const top = `acme-tasks-${sha.slice(0, 7)}/`;
    expect(entries[0]?.name).toBe(top);
    expect(entries.every((entry) => entry.name.startsWith(top))).toBe(true);
    const file = (path: string) => entries.find((entry) => entry.name === `${top}${path}`);
    expect(file("app/main.py")?.content).toContain("FastAPI()");
    expect(file("app/")?.type).toBe("directory");
    expect(file("run.sh")?.mode).toBe(0o775);
    expect(file("README.md")?.mode).toBe(0o664);
    const redirect = standIn.requests.find((request) => request.path.startsWith("/_codeload/acme/tasks/"));
    expect(redirect?.path).toContain(`legacy.tar.gz/${sha}`);
  });

  test("pushBranch() commits added, modified and deleted files on a new branch", async () => {
    const { sha: baseSha } = await gateway.resolveBase(repo);
    const { commitSha } = await gateway.pushBranch(repo, {
      baseSha,
      branch: "agent/issue-12-add-get-tasks-id",
      message: "Add GET /tasks/{id}",
      files: [
        { path: "app/routes/tasks.py", content: bytes("def get_task():\n    pass\n") },
        {
          path: "app/main.py",
          content: bytes("from fastapi import FastAPI\napp = FastAPI(title='tasks')\n"),
        },
        { path: "scripts/check.sh", mode: "100755", content: bytes("#!/bin/sh\n") },
        { path: "assets/logo.png", content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0xff, 0xfe]) },
        { path: "README.md" },
      ],
    });
    expect(commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(standIn.branchSha("acme/tasks", "agent/issue-12-add-get-tasks-id")).toBe(commitSha);
    const files = standIn.branchFiles("acme/tasks", "agent/issue-12-add-get-tasks-id");
    expect([...(files?.keys() ?? [])].sort()).toEqual([
      "app/main.py",
      "app/routes/tasks.py",
      "assets/logo.png",
      "run.sh",
      "scripts/check.sh",
      "tests/test_main.py",
    ]);
    expect(files?.get("assets/logo.png")).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0xff, 0xfe]));
    const blobs = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/git/blobs"));
    expect(blobs).toHaveLength(1);
    expect([...(files?.keys() ?? [])].filter((p) => p !== "assets/logo.png").sort()).toEqual([
      "app/main.py",
      "app/routes/tasks.py",
      "run.sh",
      "scripts/check.sh",
      "tests/test_main.py",
    ]);
    expect(text(files?.get("app/main.py"))).toContain("title='tasks'");
    expect(standIn.branchModes("acme/tasks", "agent/issue-12-add-get-tasks-id")?.get("scripts/check.sh"))
      .toBe(
        "100755",
      );
    expect(standIn.branchFiles("acme/tasks", "main")?.has("README.md")).toBe(true);
  });

  test("pushBranch() moves an existing branch from the expected head to a new commit on the base", async () => {
    const { sha: baseSha } = await gateway.resolveBase(repo);
    const branch = "agent/issue-13-second-push";
    const first = await gateway.pushBranch(repo, {
      baseSha,
      branch,
      message: "first",
      files: [{ path: "a.txt", content: bytes("1") }],
    });
    const second = await gateway.pushBranch(repo, {
      baseSha,
      branch,
      message: "second",
      files: [{ path: "b.txt", content: bytes("2") }],
      expectedHeadSha: first.commitSha,
    });
    expect(standIn.branchSha("acme/tasks", branch)).toBe(second.commitSha);
    const files = standIn.branchFiles("acme/tasks", branch);
    expect(files?.has("b.txt")).toBe(true);
    expect(files?.has("a.txt")).toBe(false);
    const update = standIn.requests.find((request) =>
      request.method === "PATCH" && request.path.endsWith(encodeURIComponent(`heads/${branch}`))
    );
    expect(update?.body).toEqual({ sha: second.commitSha, force: true });
  });

  test("openPullRequest() opens a draft PR; a second one on the branch fails instead of updating it", async () => {
    const { sha: baseSha } = await gateway.resolveBase(repo);
    const head = "agent/issue-12-pr";
    await gateway.pushBranch(repo, {
      baseSha,
      branch: head,
      message: "work",
      files: [{ path: "x.py", content: bytes("x") }],
    });
    const opened = await gateway.openPullRequest(repo, {
      head: { repo, branch: head },
      base: "main",
      title: "Add GET /tasks/{id}",
      body: "Closes #12",
      draft: true,
    });
    expect(opened.url).toBe(`${standIn.url}/acme/tasks/pull/${opened.number}`);
    const again = await gateway.openPullRequest(repo, {
      head: { repo, branch: head },
      base: "main",
      title: "Add GET /tasks/{id} (v2)",
      body: "Closes #12\n\nUpdated",
      draft: true,
    }).catch((caught: unknown) => caught);
    expect(again).toBeInstanceOf(GitHubError);
    expect((again as Error).message).toBe(
      `Cannot open a pull request from "${head}" in acme/tasks: GitHub answered 422 Unprocessable Entity ` +
        `(Validation Failed: A pull request already exists for acme:${head}.)`,
    );
    const pulls = standIn.pulls("acme/tasks").filter((pull) => pull.head === head);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({
      number: opened.number,
      draft: true,
      base: "main",
      title: "Add GET /tasks/{id}",
      body: "Closes #12",
      state: "open",
      author: "agent-runner[bot]",
    });
  });

  test("openPullRequest() opens a ready PR where the repo has no drafts", async () => {
    standIn.addRepo("acme/free", {
      defaultBranch: "main",
      files: new Map([["a.txt", bytes("a")]]),
      allowDrafts: false,
    });
    const free = { owner: "acme", name: "free" };
    const { sha: baseSha } = await gateway.resolveBase(free);
    await gateway.pushBranch(free, {
      baseSha,
      branch: "agent/x",
      message: "x",
      files: [{ path: "b.txt", content: bytes("b") }],
    });
    const opened = await gateway.openPullRequest(free, {
      head: { repo: free, branch: "agent/x" },
      base: "main",
      title: "X",
      body: "",
      draft: true,
    });
    expect(standIn.pulls("acme/free")).toMatchObject([{ number: opened.number, draft: false }]);
  });

  test("downloadTarball() of an unknown commit is a GitHubError", async () => {
    await expect(gateway.downloadTarball(repo, "f".repeat(40))).rejects.toThrow(
      `Cannot download the tarball of acme/tasks at ${"f".repeat(40)}: GitHub answered 404 Not Found`,
    );
  });

  test("openPullRequest() from a branch that does not exist reports GitHub's validation errors", async () => {
    await expect(
      gateway.openPullRequest(repo, {
        head: { repo, branch: "agent/none" },
        base: "main",
        title: "t",
        body: "",
        draft: true,
      }),
    ).rejects.toThrow(
      'Cannot open a pull request from "agent/none" in acme/tasks: GitHub answered 422 Unprocessable Entity (Validation Failed: head invalid)',
    );
  });

  test("the token travels only in the Authorization header", () => {
    expect(standIn.requests.length).toBeGreaterThan(10);
    expect(JSON.stringify(standIn.requests)).not.toContain(standIn.token);
  });

  test("a bad token is a GitHubError whose message and cause never hold the token", async () => {
    const secret = "ghp_thisIsTheWrongTokenValue123456";
    const bad = createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: secret, baseUrl: standIn.url });
    const error = await bad.getIssue(repo, 12).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubError);
    const message = (error as GitHubError).message;
    expect(message).toBe(
      "Cannot read issue #12 of acme/tasks: GitHub answered 401 Unauthorized (Bad credentials)",
    );
    expect(String(error)).not.toContain(secret);
    expect(JSON.stringify((error as GitHubError).cause)).not.toContain(secret);
    expect(String((error as GitHubError).cause)).not.toContain(secret);
  });

  test("a passing server error (502) is retried and the call succeeds", async () => {
    const quick = createOctokitGateway({
      ...GITHUB_CLIENT_DEFAULTS,
      token: standIn.token,
      baseUrl: standIn.url,
      retryBaseMs: 10,
    });
    standIn.failNext("GET", "/repos/acme/tasks/issues/12", 502);
    const before = standIn.requests.length;
    expect((await quick.getIssue(repo, 12)).number).toBe(12);
    expect(standIn.requests.length - before).toBe(2);
  });

  test("a server error that outlasts the retries surfaces as a GitHubError with the status", async () => {
    const quick = createOctokitGateway({
      ...GITHUB_CLIENT_DEFAULTS,
      token: standIn.token,
      baseUrl: standIn.url,
      retries: 2,
      retryBaseMs: 10,
    });
    standIn.failNext("GET", "/repos/acme/tasks/issues/12", 500, 3);
    await expect(quick.getIssue(repo, 12)).rejects.toThrow(
      "Cannot read issue #12 of acme/tasks: GitHub answered 500 Internal Server Error (Server Error)",
    );
    expect((await quick.getIssue(repo, 12)).number).toBe(12);
  });

  test("an unreachable GitHub is a GitHubError saying so", async () => {
    const closed = await startGitHubStandIn();
    await closed.close();
    const offline = createOctokitGateway({
      ...GITHUB_CLIENT_DEFAULTS,
      token: closed.token,
      baseUrl: closed.url,
      retryBaseMs: 10,
    });
    await expect(offline.getIssue(repo, 1)).rejects.toThrow(
      /^Cannot read issue #1 of acme\/tasks: GitHub could not be reached/,
    );
  });
});
