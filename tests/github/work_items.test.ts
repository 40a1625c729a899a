import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WorkItemError } from "../../src/errors.ts";
import type { GitHubGateway } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { isDevTitle, resolveWorkItems, stripDevPrefix } from "../../src/github/work_items.ts";
import type { ScenarioIssue } from "../../examples/scenario.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "./client_defaults.ts";

const repo = { owner: "acme", name: "tasks" };

describe("resolveWorkItems() over the real gateway and the GitHub stand-in", () => {
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/tasks", {
      defaultBranch: "main",
      files: new Map([["README.md", new Uint8Array()]]),
    });
    const issues: ScenarioIssue[] = [
      { number: 1, title: "  [DEV] Add health endpoint", body: "" },
      { number: 7, title: "Task API epic", body: "", subIssues: [8, 9, 10] },
      { number: 8, title: "[dev] GET /tasks/{id}", body: "" },
      { number: 9, title: "[ops] Provision database", body: "" },
      { number: 10, title: "[Dev] POST /tasks", body: "" },
      { number: 20, title: "Docs epic", body: "", subIssues: [21] },
      { number: 21, title: "[docs] Write README", body: "" },
      { number: 30, title: "Lonely", body: "" },
      { number: 40, title: "QA epic", body: "", subIssues: ["acme/other#3", 41, 42, 43] },
      { number: 41, title: "[dev] Fix export", body: "", state: "closed" },
      { number: 42, title: "[dev] Add import", body: "" },
      { number: 43, title: "[ops] Closed chore", body: "", state: "closed" },
      { number: 50, title: "Finished epic", body: "", subIssues: [41, "acme/other#3"] },
    ];
    for (const issue of issues) standIn.addIssue("acme/tasks", issue);
    standIn.addRepo("acme/other", { defaultBranch: "main", files: new Map([["a.txt", new Uint8Array()]]) });
    standIn.addIssue("acme/other", { number: 3, title: "[dev] Shared client", body: "" });
    gateway = createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: standIn.token, baseUrl: standIn.url });
  });

  afterAll(() => standIn.close());

  test("a [dev] issue is the single work item, without a parent", async () => {
    const resolved = await resolveWorkItems(gateway, repo, 1);
    expect(resolved.parent).toBeUndefined();
    expect(resolved.items.map((item) => item.number)).toEqual([1]);
    expect(resolved.skipped).toEqual([]);
    expect(standIn.requests.some((request) => request.path.includes("/sub_issues"))).toBe(false);
  });

  test("a parent yields its [dev] sub-issues in order and skips the others", async () => {
    const resolved = await resolveWorkItems(gateway, repo, 7);
    expect(resolved.parent?.number).toBe(7);
    expect(resolved.items.map((item) => item.number)).toEqual([8, 10]);
    expect(resolved.skipped).toEqual([]);
  });

  test("skips [dev] sub-issues of another repository and closed ones, naming each with why", async () => {
    const resolved = await resolveWorkItems(gateway, repo, 40);
    expect(resolved.parent?.number).toBe(40);
    expect(resolved.items.map((item) => [item.repo, item.number])).toEqual([[repo, 42]]);
    expect(resolved.skipped.map(({ issue, reason }) => ({ repo: issue.repo, number: issue.number, reason })))
      .toEqual([
        {
          repo: { owner: "acme", name: "other" },
          number: 3,
          reason: "in acme/other, not acme/tasks: open the job on that repository",
        },
        { repo, number: 41, reason: "closed" },
      ]);
  });

  test("a parent whose every [dev] sub-issue is skipped is a WorkItemError naming them", async () => {
    await expect(resolveWorkItems(gateway, repo, 50)).rejects.toThrow(
      new WorkItemError(
        "Issue #50 of acme/tasks is not a [dev] work item and every [dev] sub-issue of it is skipped: " +
          "#41 (closed); acme/other#3 (in acme/other, not acme/tasks: open the job on that repository)",
      ),
    );
  });

  test("a closed [dev] issue submitted directly fails issue_closed before anything else is read", async () => {
    const before = standIn.requests.length;
    const error = await resolveWorkItems(gateway, repo, 41).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkItemError);
    expect((error as Error).message).toBe(
      "issue_closed: #41 of acme/tasks is closed; reopen it to run the agent on it",
    );
    expect(standIn.requests.slice(before).map((request) => request.path)).toEqual([
      "/repos/acme/tasks/issues/41",
    ]);
  });

  test("a parent without [dev] sub-issues is a WorkItemError", async () => {
    const error = await resolveWorkItems(gateway, repo, 20).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkItemError);
    expect((error as Error).message).toBe(
      "Issue #20 of acme/tasks is not a [dev] work item and has no [dev] sub-issues (of 1)",
    );
  });

  test("an issue with no sub-issues at all is a WorkItemError too", async () => {
    await expect(resolveWorkItems(gateway, repo, 30)).rejects.toThrow(
      "Issue #30 of acme/tasks is not a [dev] work item and has no sub-issues",
    );
  });
});

describe("the [dev] marker", () => {
  test("is recognised in any case, after leading whitespace, only at the start", () => {
    expect(isDevTitle("[dev] x")).toBe(true);
    expect(isDevTitle("\t [Dev]x")).toBe(true);
    expect(isDevTitle("Fix [dev] x")).toBe(false);
    expect(isDevTitle("[devops] x")).toBe(false);
  });

  test("is stripped with the separators after it", () => {
    expect(stripDevPrefix("[dev]: Add GET /tasks")).toBe("Add GET /tasks");
    expect(stripDevPrefix(" [DEV] - Add POST")).toBe("Add POST");
  });
});
