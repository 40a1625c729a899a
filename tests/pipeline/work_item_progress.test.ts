import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { GitHubGateway, Issue, RepoRef } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import type { NewJobEvent } from "../../src/contracts/job_events.ts";
import { openSqliteProgressComments } from "../../src/jobs/sqlite_progress_comments.ts";
import { openJobProgress } from "../../src/pipeline/job_progress.ts";
import type { WorkItemProgressDeps } from "../../src/pipeline/work_item_progress.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "../github/client_defaults.ts";

const repo: RepoRef = { owner: "acme", name: "tasks" };
const issue = (number: number): Issue => ({
  number,
  title: `[dev] Item ${number}`,
  body: "",
  url: "",
  state: "open",
  repo,
});
const status = (body: string | undefined) => /status: \*\*([^*]+)\*\*/.exec(body ?? "")?.[1];

describe("a work item's progress comment and board column", () => {
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;
  let ids: ReturnType<typeof openSqliteProgressComments>;
  let deps: WorkItemProgressDeps;

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/tasks", { defaultBranch: "main", files: new Map() });
    for (const n of [1, 2, 3, 4, 5]) {
      standIn.addIssue("acme/tasks", { number: n, title: `[dev] ${n}`, body: "" });
    }
    standIn.addProject({ title: "Ops", statuses: ["Ready", "Doing"], items: { "acme/tasks#4": "Ready" } });
    gateway = createOctokitGateway({
      ...GITHUB_CLIENT_DEFAULTS,
      token: standIn.token,
      baseUrl: standIn.url,
      retries: 0,
    });
    ids = openSqliteProgressComments(":memory:");
    deps = {
      github: gateway,
      commentIds: ids,
      repo,
      jobId: "job-1",
      columns: { inProgress: "In Progress", inReview: "In Review" },
    };
  });

  afterAll(async () => {
    ids.close();
    await standIn.close();
  });

  test("a failure ends the comment with the reason and what to do, untrusted text defused", async () => {
    const progress = await openJobProgress(deps, [issue(1)]);
    const item = progress.of(1);
    await item.begin();
    await item.finish({
      status: "environment_failed",
      reason: "pip: no matching distribution for fastapi==99 @octocat fixes #5",
      usage: { costUsd: 0.25 },
    });
    const [comment] = standIn.issueComments("acme/tasks", 1);
    const last = comment!.versions.at(-1)!;
    expect(status(last)).toBe("failed");
    expect(last).toContain("The repository's dependencies could not be installed; check its manifests.");
    expect(last).toContain("no matching distribution for fastapi==99");
    expect(last).not.toMatch(/(^|[^`])@octocat/);
    expect(last).toContain("Cost so far: $0.2500");
    expect(last).toContain("this issue is on no project board; it belongs in the **In Progress** column.");
  });

  test("the job's waiting events show in every comment, with the open [ops] issues named", async () => {
    const progress = await openJobProgress({ ...deps, jobId: "job-2" }, [issue(2), issue(3)]);
    const emitted: NewJobEvent[] = [];
    const emit = progress.watch((e) => Promise.resolve(void emitted.push(e)));
    await emit({
      kind: "waiting",
      message: "waiting",
      data: { parent: 9, open: [{ repo: "acme/tasks", number: 7, title: "[ops] DB", url: "u" }] },
    });
    expect(emitted).toHaveLength(1);
    for (const n of [2, 3]) {
      const last = standIn.issueComments("acme/tasks", n)[0]!.versions.at(-1)!;
      expect(status(last)).toBe("waiting");
      expect(last).toContain("`acme/tasks#7`");
    }
    await progress.endAll("skipped", "ops_not_done: acme/tasks#7 is still open");
    expect(standIn.issueComments("acme/tasks", 2)[0]!.versions.at(-1)).toContain("ops_not_done");
  });

  test("a second job of the same work item edits the same comment; a deleted one is replaced", async () => {
    const first = await openJobProgress({ ...deps, jobId: "job-3" }, [issue(1)]);
    await first.of(1).finish({ status: "cancelled" });
    const comments = standIn.issueComments("acme/tasks", 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.versions.at(-1)).toContain("job-3");
    await ids.set("acme/tasks", 1, 999_999);
    await openJobProgress({ ...deps, jobId: "job-4" }, [issue(1)]);
    expect(standIn.issueComments("acme/tasks", 1)).toHaveLength(2);
    expect(await ids.get("acme/tasks", 1)).toBe(standIn.issueComments("acme/tasks", 1)[1]!.id);
  });

  test("tool and usage events ask for no edit; edits asked for during one are coalesced into one", async () => {
    const progress = await openJobProgress({ ...deps, jobId: "job-5" }, [issue(5)]);
    const item = progress.of(5);
    await item.begin();
    const emit = item.wrap(() => Promise.resolve());
    const events = workItemEvents(5);
    const before = standIn.issueComments("acme/tasks", 5)[0]!.versions.length;
    for (let turn = 1; turn <= 20; turn++) {
      await emit(events.tool({ turn, tool: "bash", summary: "bash: ls" }));
      await emit(
        events.usage({ turn, inputTokens: 1, outputTokens: 1, totalTokens: 2, costUsd: turn / 100 }),
      );
    }
    expect(standIn.issueComments("acme/tasks", 5)[0]!.versions.length).toBe(before);
    const test = { command: "pytest", passed: 3, failed: 0, exitCode: 0, tail: "" };
    await Promise.all([emit(events.test(test)), emit(events.test(test)), emit(events.test(test))]);
    const versions = standIn.issueComments("acme/tasks", 5)[0]!.versions;
    expect(versions.length).toBe(before + 2);
    expect(versions.at(-1)).toContain("Cost so far: $0.2000");
    expect(versions.at(-1)).toContain("Tests: passing, 3 passed, 0 failed");
  });

  test("a board the token may not edit, and a GitHub failure, never fail the work item", async () => {
    standIn.addProject({
      title: "Locked",
      statuses: ["In Progress"],
      editable: false,
      items: { "acme/tasks#3": "Ready" },
    });
    const progress = await openJobProgress({ ...deps, jobId: "job-6" }, [issue(3)]);
    standIn.failNext("PATCH", "/repos/acme/tasks/issues/comments/", 500);
    await progress.of(3).begin();
    await progress.of(3).finish({ status: "submitted" });
    const last = standIn.issueComments("acme/tasks", 3)[0]!.versions.at(-1)!;
    expect(status(last)).toBe("done");
    expect(last).toContain('the service may not edit "Locked"; please move this issue to **In Progress**.');
  });
});
