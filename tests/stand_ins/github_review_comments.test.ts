import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type GitHubStandIn, startGitHubStandIn } from "./github_server.ts";
import { loadOpenApiValidator, type OpenApiValidator } from "./github/openapi_validator.ts";

const REPO = "/repos/acme/tasks";
const LIST = "/repos/{owner}/{repo}/pulls/{pull_number}/comments";
const REPLY = "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies";

describe("the GitHub stand-in's review comment routes match GitHub's OpenAPI description", () => {
  let standIn: GitHubStandIn;
  let spec: OpenApiValidator;
  let pull: number;
  let first: number;

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${standIn.url}${path}`, {
      method,
      headers: {
        authorization: `token ${standIn.token}`,
        accept: "application/vnd.github+json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  async function conforms(method: string, template: string, path: string, expected: number, body?: unknown) {
    if (body !== undefined) expect(spec.validateRequest(method, template, body)).toEqual([]);
    const response = await call(method, path, body);
    expect(response.status, JSON.stringify(response.json)).toBe(expected);
    expect(spec.validateResponse(method, template, response.status, response.json)).toEqual([]);
    return response.json;
  }

  beforeAll(() => {
    spec = loadOpenApiValidator();
    return startGitHubStandIn().then((started) => {
      standIn = started;
      standIn.addRepo("acme/tasks", {
        defaultBranch: "main",
        files: new Map([["app/main.py", new TextEncoder().encode("app = None\n")]]),
      });
      standIn.pushCommitAs("acme/tasks", "feature", {
        files: new Map([["app/main.py", new TextEncoder().encode("app = 1\n")]]),
        message: "Change",
        author: { login: "rosa" },
      });
      pull = standIn.openPullRequestAs("acme/tasks", {
        head: "feature",
        base: "main",
        title: "Feature",
        body: "",
        login: "rosa",
      });
      first = standIn.addReviewComment("acme/tasks", pull, {
        login: "rosa",
        path: "app/main.py",
        line: 1,
        body: "@agent-runner why 1?",
        diffHunk: "@@ -1 +1 @@\n-app = None\n+app = 1",
      });
    });
  }, 60_000);

  afterAll(() => standIn.close());

  test("listing a pull request's review comments gives each with its file, line, diff hunk and author", async () => {
    const listed = await conforms("GET", LIST, `${REPO}/pulls/${pull}/comments`, 200);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: first,
      path: "app/main.py",
      line: 1,
      diff_hunk: "@@ -1 +1 @@\n-app = None\n+app = 1",
      body: "@agent-runner why 1?",
      user: { login: "rosa" },
    });
    expect(listed[0]).not.toHaveProperty("in_reply_to_id");
  });

  test("a reply joins the thread of the comment it answers, by the token's account, on the same line", async () => {
    const reply = await conforms("POST", REPLY, `${REPO}/pulls/${pull}/comments/${first}/replies`, 201, {
      body: "Because.",
    });
    expect(reply).toMatchObject({
      in_reply_to_id: first,
      path: "app/main.py",
      line: 1,
      user: { login: "agent-runner[bot]" },
    });
    // A reply to the reply still points at the thread's first comment, as on GitHub.
    const again = await conforms("POST", REPLY, `${REPO}/pulls/${pull}/comments/${reply.id}/replies`, 201, {
      body: "Still.",
    });
    expect(again.in_reply_to_id).toBe(first);
    expect(standIn.reviewComments("acme/tasks", pull).map((c) => c.body)).toEqual([
      "@agent-runner why 1?",
      "Because.",
      "Still.",
    ]);
  });

  test("a blank reply is a 422, and a comment or pull request that does not exist a 404", async () => {
    // GitHub's description documents no 422 for this route; its body is the usual validation error.
    expect((await call("POST", `${REPO}/pulls/${pull}/comments/${first}/replies`, { body: " " })).status)
      .toBe(422);
    await conforms("POST", REPLY, `${REPO}/pulls/${pull}/comments/999/replies`, 404, { body: "x" });
    expect((await call("GET", `${REPO}/pulls/999/comments`)).status).toBe(404);
  });
});
