import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type GitHubStandIn, startGitHubStandIn } from "./github_server.ts";
import { loadOpenApiValidator, type OpenApiValidator } from "./github/openapi_validator.ts";
import { signBody } from "./github/webhook_sender.ts";

const REPO = "acme/tasks";

describe("the stand-in's collaborator permission and webhook deliveries match GitHub's description", () => {
  let standIn: GitHubStandIn;
  let spec: OpenApiValidator;
  let receiver: Deno.HttpServer<Deno.NetAddr>;
  const received: Array<{ headers: Headers; body: string }> = [];

  beforeAll(async () => {
    spec = loadOpenApiValidator();
    standIn = await startGitHubStandIn();
    standIn.addRepo(REPO, {
      defaultBranch: "main",
      files: new Map([["a.py", new TextEncoder().encode("a\n")]]),
    });
    standIn.addIssue(REPO, { number: 12, title: "[dev] Child", body: "Body" });
    standIn.grantRole(REPO, "maria", "maintain");
    standIn.grantRole(REPO, "tom", "triage");
    standIn.grantRole(REPO, "ann", "admin");
    receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
      received.push({ headers: request.headers, body: await request.text() });
      return new Response(null, { status: 202 });
    });
    standIn.setWebhookUrl(`http://127.0.0.1:${receiver.addr.port}/hook`);
  }, 60_000);

  afterAll(async () => {
    await receiver?.shutdown();
    await standIn?.close();
  });

  async function permission(login: string) {
    const response = await fetch(`${standIn.url}/repos/${REPO}/collaborators/${login}/permission`, {
      headers: { authorization: `token ${standIn.token}`, accept: "application/vnd.github+json" },
    });
    return { status: response.status, body: await response.json() };
  }

  test("each role answers role_name and the legacy permission, as documented", async () => {
    const template = "/repos/{owner}/{repo}/collaborators/{username}/permission";
    for (
      const [login, role, legacy] of [
        ["ann", "admin", "admin"],
        ["maria", "maintain", "write"],
        ["tom", "triage", "read"],
        ["agent-runner[bot]", "write", "write"],
      ]
    ) {
      const { status, body } = await permission(login!);
      expect(status).toBe(200);
      expect(body).toMatchObject({ role_name: role, permission: legacy });
      expect(spec.validateResponse("GET", template, 200, body)).toEqual([]);
    }
    standIn.grantRole(REPO, "nobody-yet", "read");
    const unknown = await permission("no-such-account");
    expect(unknown.status).toBe(404);
    expect(spec.validateResponse("GET", template, 404, unknown.body)).toEqual([]);
  });

  test("labeled, assigned, closed and comment payloads match GitHub's webhook schemas", async () => {
    await standIn.labelIssueAs(REPO, 12, "agent", "maria");
    await standIn.assignIssueAs(REPO, 12, "agent-runner[bot]", "maria");
    await standIn.commentOnIssueAs(REPO, 12, "/agent run", "maria");
    await standIn.closeIssueAs(REPO, 12, "maria");
    const schemas = [
      "webhook-issues-labeled",
      "webhook-issues-assigned",
      "webhook-issue-comment-created",
      "webhook-issues-closed",
    ];
    expect(received).toHaveLength(4);
    received.forEach((delivery, i) => {
      expect(spec.validateSchema(schemas[i]!, JSON.parse(delivery.body))).toEqual([]);
    });
  });

  test("a review comment's payload matches GitHub's pull_request_review_comment.created schema", async () => {
    standIn.pushCommitAs(REPO, "feature", {
      author: { login: "maria" },
      message: "Change",
      files: new Map([["a.py", new TextEncoder().encode("b\n")]]),
    });
    const pull = standIn.openPullRequestAs(REPO, {
      head: "feature",
      base: "main",
      title: "Change",
      body: "",
      login: "maria",
    });
    const before = received.length;
    await standIn.reviewCommentAs(REPO, pull, { login: "maria", path: "a.py", line: 1, body: "@bot why?" });
    expect(received).toHaveLength(before + 1);
    const payload = JSON.parse(received.at(-1)!.body);
    expect(spec.validateSchema("webhook-pull-request-review-comment-created", payload)).toEqual([]);
    received.pop();
  });

  test("every delivery is signed over its exact body with the secret, with a delivery id and event", () => {
    for (const { headers, body } of received) {
      expect(headers.get("x-hub-signature-256")).toBe(signBody(standIn.webhookSecret, body));
      expect(headers.get("x-github-delivery")).toMatch(/^[0-9a-f-]{36}$/);
      expect(headers.get("x-github-event")).toMatch(/^(issues|issue_comment|pull_request_review_comment)$/);
      expect(headers.get("content-type")).toBe("application/json");
    }
  });
});
