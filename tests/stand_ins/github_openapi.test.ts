import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { type GitHubStandIn, startGitHubStandIn } from "./github_server.ts";
import { loadOpenApiValidator, type OpenApiValidator } from "./github/openapi_validator.ts";

const REPO = "/repos/acme/tasks";

describe("every GitHub stand-in response matches GitHub's OpenAPI description", () => {
  let standIn: GitHubStandIn;
  let spec: OpenApiValidator;
  let baseSha: string;

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${standIn.url}${path}`, {
      method,
      redirect: "manual",
      headers: {
        authorization: `token ${standIn.token}`,
        accept: "application/vnd.github+json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const isJson = response.headers.get("content-type")?.startsWith("application/json") ?? false;
    return { status: response.status, headers: response.headers, json: isJson ? JSON.parse(text) : text };
  }

  /** Calls the route and checks the body against the documented response for the status it got. */
  async function conforms(method: string, template: string, path: string, expected: number, body?: unknown) {
    const response = await call(method, path, body);
    expect(response.status, JSON.stringify(response.json)).toBe(expected);
    expect(spec.validateResponse(method, template, response.status, response.json)).toEqual([]);
    return response.json;
  }

  beforeAll(async () => {
    spec = loadOpenApiValidator();
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/tasks", {
      defaultBranch: "main",
      files: new Map([["app/main.py", new TextEncoder().encode("app = None\n")], [
        "run.sh",
        new Uint8Array([35, 33]),
      ]]),
      modes: new Map([["run.sh", "100755"]]),
    });
    standIn.addIssue("acme/tasks", { number: 7, title: "Parent", body: "", subIssues: [12] });
    standIn.addIssue("acme/tasks", { number: 12, title: "[dev] Child", body: "Body" });
    baseSha = standIn.branchSha("acme/tasks", "main") ?? "";
  }, 60_000);

  afterAll(() => standIn.close());

  test("the validator rejects a body that breaks the schema", () => {
    expect(spec.validateSchema("git-ref", { ref: "refs/heads/main" }).join("\n")).toContain(
      "must have required property",
    );
    expect(spec.validateSchema("short-blob", { url: "x", sha: 1 }).join("\n")).toContain("must be string");
  });

  test("repository, issues and sub-issues", async () => {
    const repo = await conforms("GET", "/repos/{owner}/{repo}", REPO, 200);
    expect(repo).toMatchObject({ full_name: "acme/tasks", default_branch: "main" });
    const { default_branch: _, ...withoutDefault } = repo;
    expect(spec.validateResponse("GET", "/repos/{owner}/{repo}", 200, withoutDefault)).toEqual([
      "/ must have required property 'default_branch'",
    ]);
    const badOwner = { ...repo, owner: { ...repo.owner, html_url: "not a uri", id: "1" } };
    expect(spec.validateResponse("GET", "/repos/{owner}/{repo}", 200, badOwner).sort()).toEqual([
      '/owner/html_url must match format "uri"',
      "/owner/id must be integer",
    ]);
    await conforms("GET", "/repos/{owner}/{repo}/issues/{issue_number}", `${REPO}/issues/7`, 200);
    const child = await conforms(
      "GET",
      "/repos/{owner}/{repo}/issues/{issue_number}",
      `${REPO}/issues/12`,
      200,
    );
    expect(child.parent_issue_url).toBe(`${standIn.url}${REPO}/issues/7`);
    await conforms("GET", "/repos/{owner}/{repo}/issues/{issue_number}", `${REPO}/issues/404`, 404);
    const subs = await conforms(
      "GET",
      "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
      `${REPO}/issues/7/sub_issues`,
      200,
    );
    expect(subs.map((issue: { number: number }) => issue.number)).toEqual([12]);
  });

  test("refs, branches and the tarball redirect", async () => {
    const ref = await conforms(
      "GET",
      "/repos/{owner}/{repo}/git/ref/{ref}",
      `${REPO}/git/ref/heads/main`,
      200,
    );
    expect(ref.object.sha).toBe(baseSha);
    await conforms("GET", "/repos/{owner}/{repo}/git/ref/{ref}", `${REPO}/git/ref/heads/missing`, 404);
    await conforms("GET", "/repos/{owner}/{repo}/branches/{branch}", `${REPO}/branches/main`, 200);
    await conforms(
      "GET",
      "/repos/{owner}/{repo}/git/commits/{commit_sha}",
      `${REPO}/git/commits/${baseSha}`,
      200,
    );
    const redirect = await call("GET", `${REPO}/tarball/${baseSha}`);
    expect(redirect.status).toBe(302);
    expect(spec.documents("GET", "/repos/{owner}/{repo}/tarball/{ref}", 302)).toBe(true);
    const location = redirect.headers.get("location") ?? "";
    expect(location).toContain(`/acme/tasks/legacy.tar.gz/${baseSha}?token=`);
    const archive = await fetch(location);
    expect(archive.headers.get("content-type")).toBe("application/x-gzip");
    const tar = gunzipSync(new Uint8Array(await archive.arrayBuffer()));
    expect(new TextDecoder().decode(tar.subarray(1024, 1024 + 19))).toBe(
      `acme-tasks-${baseSha.slice(0, 7)}/`,
    );
  });

  test("Git Data: blobs, trees, commits, refs, and their 422s", async () => {
    const blobPath = "/repos/{owner}/{repo}/git/blobs";
    const utf8 = await conforms("POST", blobPath, `${REPO}/git/blobs`, 201, {
      content: "hello\n",
      encoding: "utf-8",
    });
    expect(utf8.sha).toBe("ce013625030ba8dba906f756967f9e9ca394464a"); // `git hash-object` of "hello\n"
    const b64 = await conforms("POST", blobPath, `${REPO}/git/blobs`, 201, {
      content: "aGVsbG8K",
      encoding: "base64",
    });
    expect(b64.sha).toBe(utf8.sha);
    await conforms("POST", blobPath, `${REPO}/git/blobs`, 422, { encoding: "utf-8" });

    const commit = await conforms(
      "GET",
      "/repos/{owner}/{repo}/git/commits/{commit_sha}",
      `${REPO}/git/commits/${baseSha}`,
      200,
    );
    const tree = await conforms("POST", "/repos/{owner}/{repo}/git/trees", `${REPO}/git/trees`, 201, {
      base_tree: commit.tree.sha,
      tree: [
        { path: "app/new.py", mode: "100644", type: "blob", sha: utf8.sha },
        { path: "notes.txt", mode: "100644", type: "blob", content: "inline" },
        { path: "run.sh", mode: "100755", type: "blob", sha: null },
      ],
    });
    expect(tree.tree.map((entry: { path: string }) => entry.path)).toEqual(["app", "notes.txt"]);
    await conforms("POST", "/repos/{owner}/{repo}/git/trees", `${REPO}/git/trees`, 422, {
      tree: [{ path: "../escape", mode: "100644", type: "blob", content: "x" }],
    });

    const created = await conforms("POST", "/repos/{owner}/{repo}/git/commits", `${REPO}/git/commits`, 201, {
      message: "Add new.py",
      tree: tree.sha,
      parents: [baseSha],
    });
    expect(created.parents[0].sha).toBe(baseSha);
    await conforms("POST", "/repos/{owner}/{repo}/git/commits", `${REPO}/git/commits`, 422, {
      message: "x",
      tree: "0".repeat(40),
      parents: [],
    });

    const refs = "/repos/{owner}/{repo}/git/refs";
    await conforms("POST", refs, `${REPO}/git/refs`, 201, { ref: "refs/heads/feature", sha: created.sha });
    const exists = await conforms("POST", refs, `${REPO}/git/refs`, 422, {
      ref: "refs/heads/feature",
      sha: baseSha,
    });
    expect(exists.message).toBe("Reference already exists");
    const update = "/repos/{owner}/{repo}/git/refs/{ref}";
    const notFastForward = await conforms("PATCH", update, `${REPO}/git/refs/heads/feature`, 422, {
      sha: baseSha,
    });
    expect(notFastForward.message).toBe("Update is not a fast forward");
    await conforms("PATCH", update, `${REPO}/git/refs/heads%2Ffeature`, 200, { sha: baseSha, force: true });
    await conforms("PATCH", update, `${REPO}/git/refs/heads/feature`, 200, { sha: created.sha });
  });

  test("pull requests: create (draft), list with filters, get, update, and a duplicate's 422", async () => {
    const commit = await call("POST", `${REPO}/git/commits`, {
      message: "pr work",
      tree: (await call("GET", `${REPO}/git/commits/${baseSha}`)).json.tree.sha,
      parents: [baseSha],
    });
    await call("POST", `${REPO}/git/refs`, { ref: "refs/heads/agent/issue-12-child", sha: commit.json.sha });
    const input = {
      title: "Child",
      head: "acme:agent/issue-12-child",
      base: "main",
      body: "Closes #12",
      draft: true,
    };
    const pull = await conforms("POST", "/repos/{owner}/{repo}/pulls", `${REPO}/pulls`, 201, input);
    expect(pull).toMatchObject({
      draft: true,
      number: 13,
      head: { ref: "agent/issue-12-child" },
      commits: 1,
    });
    const duplicate = await conforms("POST", "/repos/{owner}/{repo}/pulls", `${REPO}/pulls`, 422, input);
    expect(duplicate.errors[0].message).toContain("A pull request already exists");
    const listed = await conforms(
      "GET",
      "/repos/{owner}/{repo}/pulls",
      `${REPO}/pulls?head=${encodeURIComponent("acme:agent/issue-12-child")}&state=open`,
      200,
    );
    expect(listed.map((item: { number: number }) => item.number)).toEqual([13]);
    expect((await call("GET", `${REPO}/pulls?head=acme:other`)).json).toEqual([]);
    await conforms("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", `${REPO}/pulls/13`, 200);
    const updated = await conforms(
      "PATCH",
      "/repos/{owner}/{repo}/pulls/{pull_number}",
      `${REPO}/pulls/13`,
      200,
      {
        body: "Closes #12\n\nMore",
      },
    );
    expect(updated.body).toBe("Closes #12\n\nMore");
    await conforms("GET", "/repos/{owner}/{repo}/issues/{issue_number}", `${REPO}/issues/13`, 200);
  });

  test("trees (recursive, with a gitlink), blobs and REST commits with linked authors", async () => {
    standIn.addRepo("acme/trees", {
      defaultBranch: "main",
      files: new Map([["src/a.py", new TextEncoder().encode("a\n")], ["logo.bin", new Uint8Array([0, 255])]]),
      gitlinks: new Map([["vendor/lib", "ab".repeat(20)]]),
    });
    const head = standIn.pushCommitAs("acme/trees", "main", {
      files: new Map([["src/a.py", new TextEncoder().encode("a\nb\n")]]),
      message: "Add b",
      author: { login: "alice", name: "Alice Doe" },
    });
    const TREES = "/repos/acme/trees";
    const treePath = "/repos/{owner}/{repo}/git/trees/{tree_sha}";
    const tree = await conforms("GET", treePath, `${TREES}/git/trees/${head}?recursive=1`, 200);
    expect(tree.truncated).toBe(false);
    expect(tree.tree.map((entry: { path: string; type: string }) => `${entry.type} ${entry.path}`)).toEqual([
      "blob logo.bin",
      "tree src",
      "blob src/a.py",
      "tree vendor",
      "commit vendor/lib",
    ]);
    expect(tree.tree[4]).toEqual({
      path: "vendor/lib",
      mode: "160000",
      type: "commit",
      sha: "ab".repeat(20),
    });
    const flat = await conforms("GET", treePath, `${TREES}/git/trees/${tree.sha}`, 200);
    expect(flat.tree.map((entry: { path: string }) => entry.path)).toEqual(["logo.bin", "src", "vendor"]);
    await conforms("GET", treePath, `${TREES}/git/trees/${"0".repeat(40)}`, 404);

    const blobPath = "/repos/{owner}/{repo}/git/blobs/{file_sha}";
    const blob = await conforms("GET", blobPath, `${TREES}/git/blobs/${tree.tree[0].sha}`, 200);
    expect(blob).toMatchObject({ encoding: "base64", size: 2, content: "AP8=\n" });
    await conforms("GET", blobPath, `${TREES}/git/blobs/${"0".repeat(40)}`, 404);

    const commitPath = "/repos/{owner}/{repo}/commits/{ref}";
    const commit = await conforms("GET", commitPath, `${TREES}/commits/${head}`, 200);
    expect(commit.commit).toMatchObject({ message: "Add b", author: { name: "Alice Doe" } });
    expect(commit.author.login).toBe("alice");
    expect(commit.files).toMatchObject([{
      filename: "src/a.py",
      status: "modified",
      additions: 1,
      deletions: 0,
    }]);
    const seeded = await conforms(
      "GET",
      commitPath,
      `${TREES}/commits/${commit.parents[0].sha}?per_page=1`,
      200,
    );
    expect(seeded.author).toBeNull();
    expect(seeded.files).toHaveLength(1);
    expect(seeded.stats).toEqual({ additions: 1, deletions: 0, total: 1 }); // logo.bin is binary: no lines
    const unknown = await conforms("GET", commitPath, `${TREES}/commits/nope`, 422);
    expect(unknown.message).toBe("No commit found for SHA: nope");
  });

  test("labels, closed issues, sub-issues of another repository and a person's pull request", async () => {
    standIn.addRepo("acme/board", { defaultBranch: "main", files: new Map([["a", new Uint8Array([97])]]) });
    standIn.addRepo("acme/api", { defaultBranch: "main", files: new Map([["a", new Uint8Array([97])]]) });
    standIn.addIssue("acme/api", { number: 5, title: "[dev] Client", body: "" });
    standIn.addIssue("acme/board", { number: 1, title: "Epic", body: "", subIssues: [2, "acme/api#5"] });
    standIn.addIssue("acme/board", { number: 2, title: "[dev] Done", body: "", state: "closed" });
    const BOARD = "/repos/acme/board";
    const issuePath = "/repos/{owner}/{repo}/issues/{issue_number}";
    const closed = await conforms("GET", issuePath, `${BOARD}/issues/2`, 200);
    expect(closed).toMatchObject({
      state: "closed",
      state_reason: "completed",
      parent_issue_url: `${standIn.url}${BOARD}/issues/1`,
    });
    const parent = await conforms("GET", issuePath, `${BOARD}/issues/1`, 200);
    expect(parent.sub_issues_summary).toEqual({ total: 2, completed: 1, percent_completed: 50 });
    const subs = await conforms("GET", `${issuePath}/sub_issues`, `${BOARD}/issues/1/sub_issues`, 200);
    expect(
      subs.map((issue: { repository_url: string; number: number }) => [issue.repository_url, issue.number]),
    )
      .toEqual([[`${standIn.url}${BOARD}`, 2], [`${standIn.url}/repos/acme/api`, 5]]);
    expect(subs[1].parent_issue_url).toBe(`${standIn.url}${BOARD}/issues/1`);

    standIn.pushCommitAs("acme/board", "feature", {
      files: new Map([["b", new Uint8Array([98])]]),
      message: "B",
      author: { login: "bob" },
    });
    const number = standIn.openPullRequestAs("acme/board", {
      head: "feature",
      base: "main",
      title: "Bob's PR",
      body: "",
      login: "bob",
      labels: ["bug"],
    });
    const labelsPath = `${issuePath}/labels`;
    const labels = await conforms("POST", labelsPath, `${BOARD}/issues/${number}/labels`, 200, {
      labels: ["backend-agent", "BUG"],
    });
    expect(labels.map((label: { name: string }) => label.name)).toEqual(["bug", "backend-agent"]);
    await conforms("POST", labelsPath, `${BOARD}/issues/${number}/labels`, 422, { labels: [] });
    const listed = await conforms(
      "GET",
      "/repos/{owner}/{repo}/pulls",
      `${BOARD}/pulls?head=acme:feature&state=open`,
      200,
    );
    expect(listed).toMatchObject([{
      number,
      user: { login: "bob" },
      labels: [{ name: "bug" }, { name: "backend-agent" }],
    }]);
    const asIssue = await conforms("GET", issuePath, `${BOARD}/issues/${number}`, 200);
    expect(asIssue.labels.map((label: { name: string }) => label.name)).toEqual(["bug", "backend-agent"]);
  });

  test("auth failures and unknown routes use GitHub's error bodies", async () => {
    const bad = await fetch(`${standIn.url}${REPO}`, { headers: { authorization: "Bearer nope" } });
    expect(bad.status).toBe(401);
    const badBody = await bad.json();
    expect(badBody.message).toBe("Bad credentials");
    expect(spec.validateSchema("basic-error", badBody)).toEqual([]);
    const missing = await call("GET", "/repos/acme/nothing");
    expect(missing.json).toMatchObject({ message: "Not Found", status: "404" });
    expect(spec.validateSchema("basic-error", missing.json)).toEqual([]);
  });

  test("GitHub App: installation token creation and revocation", async () => {
    const keys = await generateKeyPair("RS256");
    const app = await startGitHubStandIn({
      app: { id: 11, installationId: 22, publicKeyPem: await exportSPKI(keys.publicKey) },
    });
    try {
      app.addRepo("acme/tasks", { defaultBranch: "main", files: new Map([["a", new Uint8Array([97])]]) });
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({}).setProtectedHeader({ alg: "RS256" }).setIssuer("11").setIssuedAt(
        now - 30,
      )
        .setExpirationTime(now + 300).sign(keys.privateKey);
      const created = await fetch(`${app.url}/app/installations/22/access_tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
        body: JSON.stringify({
          repositories: ["tasks"],
          permissions: { contents: "write", pull_requests: "write" },
        }),
      });
      expect(created.status).toBe(201);
      const body = await created.json();
      expect(spec.validateResponse("POST", "/app/installations/{installation_id}/access_tokens", 201, body))
        .toEqual([]);
      const revoked = await fetch(`${app.url}/installation/token`, {
        method: "DELETE",
        headers: { authorization: `token ${body.token}` },
      });
      expect(revoked.status).toBe(204);
      const after = await fetch(`${app.url}/repos/acme/tasks`, {
        headers: { authorization: `token ${body.token}` },
      });
      expect(after.status).toBe(401);
      expect(spec.validateSchema("basic-error", await after.json())).toEqual([]);
    } finally {
      await app.close();
    }
  });
  test("forks: a fork's repository, a pull request from its branch (owner:branch, head_repo), and GitHub's 422s", async () => {
    standIn.addFork("acme/tasks", "agent-bot/tasks");
    standIn.addRepo("agent-bot/other", {
      defaultBranch: "main",
      files: new Map([["a", new Uint8Array([97])]]),
    });
    const FORK = "/repos/agent-bot/tasks";
    const fork = await conforms("GET", "/repos/{owner}/{repo}", FORK, 200);
    expect(fork).toMatchObject({
      full_name: "agent-bot/tasks",
      fork: true,
      parent: { full_name: "acme/tasks" },
      source: { full_name: "acme/tasks" },
    });
    expect((await conforms("GET", "/repos/{owner}/{repo}", REPO, 200)).fork).toBe(false);
    // The fork shares its network's objects: a commit on the base's tree, with the base's commit as parent.
    const tree = (await call("GET", `${REPO}/git/commits/${baseSha}`)).json.tree.sha;
    const commit = await conforms("POST", "/repos/{owner}/{repo}/git/commits", `${FORK}/git/commits`, 201, {
      message: "fork work",
      tree,
      parents: [baseSha],
    });
    await conforms("POST", "/repos/{owner}/{repo}/git/refs", `${FORK}/git/refs`, 201, {
      ref: "refs/heads/agent/issue-12-fork",
      sha: commit.sha,
    });
    const input = {
      title: "From the fork",
      head: "agent-bot:agent/issue-12-fork",
      head_repo: "agent-bot/tasks",
      base: "main",
      body: "Closes #12",
      draft: true,
    };
    expect(spec.validateRequest("POST", "/repos/{owner}/{repo}/pulls", input)).toEqual([]);
    const pull = await conforms("POST", "/repos/{owner}/{repo}/pulls", `${REPO}/pulls`, 201, input);
    expect(pull).toMatchObject({
      head: { label: "agent-bot:agent/issue-12-fork", ref: "agent/issue-12-fork", sha: commit.sha },
      base: { ref: "main", repo: { full_name: "acme/tasks" } },
      commits: 1,
    });
    expect(pull.head.repo).toMatchObject({ full_name: "agent-bot/tasks", fork: true });
    const { head_repo: _, ...withoutHeadRepo } = input;
    const again = await conforms(
      "POST",
      "/repos/{owner}/{repo}/pulls",
      `${REPO}/pulls`,
      422,
      withoutHeadRepo,
    );
    expect(again.errors[0].message).toBe("A pull request already exists for agent-bot:agent/issue-12-fork.");
    const listed = await conforms(
      "GET",
      "/repos/{owner}/{repo}/pulls",
      `${REPO}/pulls?head=${encodeURIComponent("agent-bot:agent/issue-12-fork")}&state=open`,
      200,
    );
    expect(listed.map((item: { number: number }) => item.number)).toEqual([pull.number]);
    expect((await call("GET", `${REPO}/pulls?head=acme:agent/issue-12-fork`)).json).toEqual([]);
    expect(standIn.pulls("acme/tasks").find((item) => item.number === pull.number)?.headRepo).toBe(
      "agent-bot/tasks",
    );
    // What GitHub checks: the head's owner has a fork in the base's network, and `head` names it.
    const refused: Array<[string, Record<string, unknown>]> = [
      ["a fork's branch named without its owner is looked for in the base", {
        ...withoutHeadRepo,
        head: "agent/issue-12-fork",
      }],
      ["an owner with no fork of the base", { ...withoutHeadRepo, head: "nobody:agent/issue-12-fork" }],
      ["a head_repo outside the base's network", {
        ...input,
        head: "agent-bot:main",
        head_repo: "agent-bot/other",
      }],
      ["a head_repo of another owner than head's", { ...input, head_repo: "acme/tasks" }],
    ];
    for (const [why, body] of refused) {
      const answer = await conforms("POST", "/repos/{owner}/{repo}/pulls", `${REPO}/pulls`, 422, body);
      expect(answer.errors, why).toEqual([{ resource: "PullRequest", field: "head", code: "invalid" }]);
    }
  });
});
