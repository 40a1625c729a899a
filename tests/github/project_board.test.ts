import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadOpenApiValidator } from "../stand_ins/github/openapi_validator.ts";
import type { GitHubGateway, RepoRef } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { PROJECT_ITEMS_QUERY } from "../../src/github/project_board.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "./client_defaults.ts";

const repo: RepoRef = { owner: "acme", name: "tasks" };
const encode = (text: string) => new TextEncoder().encode(text);

describe("the project board and issue comments through the gateway, against the GitHub stand-in", () => {
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;

  async function graphql(query: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(`${standIn.url}/graphql`, {
      method: "POST",
      headers: { authorization: `bearer ${standIn.token}`, "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return await response.json() as { data?: unknown; errors?: Array<{ message: string; type?: string }> };
  }

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/tasks", {
      defaultBranch: "main",
      files: new Map([["README.md", encode("# t\n")]]),
    });
    for (const number of [1, 2, 3, 4, 5]) {
      standIn.addIssue("acme/tasks", { number, title: `[dev] Item ${number}`, body: "" });
    }
    standIn.addProject({
      title: "Sprint",
      statuses: ["Todo", "Ready", "In Progress", "In Review", "Done"],
      items: { "acme/tasks#1": "Ready", "acme/tasks#4": "Ready" },
    });
    standIn.addProject({
      title: "Roadmap",
      statuses: ["Ready", "In Progress"],
      items: { "acme/tasks#3": "Ready" },
    });
    standIn.addProject({
      title: "Locked",
      statuses: ["Ready", "In Progress"],
      editable: false,
      items: { "acme/tasks#5": "Ready" },
    });
    gateway = createOctokitGateway({
      ...GITHUB_CLIENT_DEFAULTS,
      token: standIn.token,
      baseUrl: standIn.url,
      retryBaseMs: 1,
    });
  }, 60_000);

  afterAll(() => standIn.close());

  test("an item on a board moves to the column asked for, then to the next", async () => {
    expect(await gateway.moveOnBoard(repo, 1, "In Progress")).toEqual({
      kind: "moved",
      status: "In Progress",
      projects: ["Sprint"],
    });
    expect(standIn.projectStatus("Sprint", "acme/tasks#1")).toBe("In Progress");
    expect((await gateway.moveOnBoard(repo, 1, "in review")).kind).toBe("moved");
    expect(standIn.projectStatus("Sprint", "acme/tasks#1")).toBe("In Review");
  });

  test("an issue on no board, a board without the column, and one the token may not edit are answers", async () => {
    expect(await gateway.moveOnBoard(repo, 2, "In Progress")).toEqual({
      kind: "no_project",
      status: "In Progress",
    });
    expect(await gateway.moveOnBoard(repo, 3, "In Review")).toEqual({
      kind: "no_column",
      status: "In Review",
      projects: ["Roadmap"],
    });
    expect(standIn.projectStatus("Roadmap", "acme/tasks#3")).toBe("Ready");
    expect(await gateway.moveOnBoard(repo, 5, "In Progress")).toEqual({
      kind: "forbidden",
      status: "In Progress",
      projects: ["Locked"],
    });
    expect(standIn.projectStatus("Locked", "acme/tasks#5")).toBe("Ready");
  });

  test("the stand-in validates every operation against GitHub's published schema", async () => {
    const valid = await graphql(PROJECT_ITEMS_QUERY, { owner: "acme", name: "tasks", number: 4 });
    expect(valid.errors).toBeUndefined();
    const invalid = await graphql(PROJECT_ITEMS_QUERY.replace("fieldValueByName", "statusValue"), {
      owner: "acme",
      name: "tasks",
      number: 4,
    });
    expect(invalid.data).toBeUndefined();
    expect(invalid.errors?.[0]?.message).toContain(
      'Cannot query field "statusValue" on type "ProjectV2Item"',
    );
    const wrongArgument = await graphql(
      `query { repository(owner: "acme", name: "tasks") { issue(number: "4") { id } } }`,
    );
    expect(wrongArgument.errors?.[0]?.message).toContain("Int cannot represent non-integer value");
    expect(standIn.projectStatus("Sprint", "acme/tasks#4")).toBe("Ready");
  });

  test("a comment is created, then edited in place, and GitHub's OpenAPI description accepts both answers", async () => {
    const created = await gateway.createIssueComment(repo, 2, "first");
    expect(created.url).toContain("/acme/tasks/issues/2#issuecomment-");
    const edited = await gateway.updateIssueComment(repo, created.id, "second");
    expect(edited?.id).toBe(created.id);
    const comments = standIn.issueComments("acme/tasks", 2);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.versions).toEqual(["first", "second"]);
    expect(await gateway.updateIssueComment(repo, 987_654_321, "gone")).toBeUndefined();

    const spec = loadOpenApiValidator();
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${standIn.url}${path}`, {
        method,
        headers: { authorization: `token ${standIn.token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: await response.json() };
    };
    const post = await call("POST", "/repos/acme/tasks/issues/2/comments", { body: "third" });
    expect(post.status).toBe(201);
    expect(
      spec.validateResponse("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 201, post.json),
    )
      .toEqual([]);
    expect(
      spec.validateRequest("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", { body: "x" }),
    )
      .toEqual([]);
    const patch = await call("PATCH", `/repos/acme/tasks/issues/comments/${post.json.id}`, {
      body: "fourth",
    });
    expect(patch.status).toBe(200);
    expect(
      spec.validateResponse("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", 200, patch.json),
    )
      .toEqual([]);
    const list = await call("GET", "/repos/acme/tasks/issues/2/comments");
    expect(
      spec.validateResponse("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 200, list.json),
    )
      .toEqual([]);
    const blank = await call("PATCH", `/repos/acme/tasks/issues/comments/${post.json.id}`, { body: " " });
    expect(blank.status).toBe(422);
    expect(
      spec.validateResponse("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", 422, blank.json),
    )
      .toEqual([]);
  });
});
