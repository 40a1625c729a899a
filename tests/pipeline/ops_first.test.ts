/**
 * `[ops]` first, over the real gateway and the GitHub stand-in: a parent that puts `[ops]` first
 * waits while an `[ops]` sub-issue is open, wakes on `issues.closed` or at its re-check, ends
 * `ops_not_done` after the timeout, and stops at once on a cancel.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Issue } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { IssueWakeups } from "../../src/jobs/issue_wakeups.ts";
import type { NewJobEvent } from "../../src/contracts/job_events.ts";
import { type OpsWaitSettings, waitForOps } from "../../src/pipeline/ops_first.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "../github/client_defaults.ts";

const REPO = "acme/tasks";
const repo = { owner: "acme", name: "tasks" };
const OPS = { number: 22, title: "[ops] Alert on overdue tasks", body: "" };
/** Nothing in these tests waits this long: a wait that ends did so for another reason. */
const HOUR = 3_600_000;

let standIn: GitHubStandIn;
beforeEach(async () => {
  standIn = await startGitHubStandIn();
  standIn.addRepo(REPO, { defaultBranch: "main", files: new Map([["README.md", new Uint8Array()]]) });
  standIn.addIssue(REPO, OPS);
  standIn.addIssue(REPO, { number: 21, title: "[dev] Store a due date", body: "" });
  standIn.addIssue(REPO, { number: 23, title: "[ops] Closed chore", body: "", state: "closed" });
});
afterEach(() => standIn.close());

/** Sets up parent #20 with `body` and runs {@link waitForOps} on it, recording what it did. */
async function startWait(body: string, settings: OpsWaitSettings, signal?: AbortSignal) {
  standIn.addIssue(REPO, { number: 20, title: "Task due dates", body, subIssues: [21, 22, 23] });
  const github = createOctokitGateway({
    ...GITHUB_CLIENT_DEFAULTS,
    token: standIn.token,
    baseUrl: standIn.url,
  });
  const parent: Issue = await github.getIssue(repo, 20);
  const wakeups = new IssueWakeups();
  const events: NewJobEvent[] = [];
  const statuses: boolean[] = [];
  let announce: () => void = () => {};
  const announced = new Promise<void>((resolve) => announce = resolve);
  const ended = waitForOps(
    {
      github,
      waits: wakeups,
      emit: (event) => {
        events.push(event);
        if (event.kind === "waiting" && event.data.open.length > 0) announce();
        return Promise.resolve();
      },
      setWaiting: (waiting) => {
        statuses.push(waiting);
        return Promise.resolve();
      },
    },
    { repo, parent, ...(signal ? { signal } : {}) },
    settings,
  );
  return { ended, announced, wakeups, events, statuses };
}

const closeOps = () => standIn.addIssue(REPO, { ...OPS, state: "closed" });
const subIssueReads = () => standIn.requests.filter((r) => r.path.includes("/issues/20/sub_issues")).length;

describe("waitForOps()", () => {
  test("a parent without an order statement does not wait or read its sub-issues", async () => {
    const run = await startWait("As a user, I want due dates.", { recheckMs: HOUR, timeoutMs: HOUR });
    expect(await run.ended).toEqual({ go: true });
    expect(run.events).toEqual([]);
    expect(run.statuses).toEqual([]);
    expect(subIssueReads()).toBe(0);
  });

  test("ops first with every [ops] sub-issue closed goes on at once, never `waiting`", async () => {
    closeOps();
    const run = await startWait("[ops] before [dev]", { recheckMs: HOUR, timeoutMs: HOUR });
    expect(await run.ended).toEqual({ go: true });
    expect(run.events).toEqual([]);
    expect(run.statuses).toEqual([]);
  });

  test("waits naming the open [ops] issue, and an issues.closed wake-up resumes it", async () => {
    const run = await startWait("## Order\nOps first.", { recheckMs: HOUR, timeoutMs: HOUR });
    await run.announced;
    expect(run.statuses).toEqual([true]);
    const waiting = run.events[0]!;
    expect(waiting.kind).toBe("waiting");
    expect(waiting.data).toEqual({
      parent: 20,
      open: [{ repo: REPO, number: 22, title: OPS.title, url: expect.stringContaining("/issues/22") }],
    });
    expect(waiting.message).toBe("waiting: parent #20 puts [ops] first; open: acme/tasks#22");
    // The re-check is an hour away: only the wake-up (the repository named in any case) resumes it.
    closeOps();
    run.wakeups.issueClosed("ACME/Tasks", 22);
    expect(await run.ended).toEqual({ go: true });
    expect(run.events.at(-1)).toMatchObject({ kind: "waiting", data: { parent: 20, open: [] } });
    expect(run.statuses).toEqual([true, false]);
    expect(run.wakeups.waiting()).toBe(0);
  });

  test("without a webhook the re-check every WAIT_RECHECK_MS sees the [ops] issue closed", async () => {
    const run = await startWait("[ops] before [dev]", { recheckMs: 20, timeoutMs: HOUR });
    await run.announced;
    closeOps();
    expect(await run.ended).toEqual({ go: true });
    expect(subIssueReads()).toBeGreaterThanOrEqual(2);
    expect(run.statuses).toEqual([true, false]);
  });

  test("WAIT_TIMEOUT_MS ends it ops_not_done, naming the open issue and the setting", async () => {
    const run = await startWait("Ops goes first", { recheckMs: 10, timeoutMs: 50 });
    const end = await run.ended;
    expect(end.go).toBe(false);
    expect(!end.go && end.reason).toBe(
      "ops_not_done: parent #20 puts [ops] first and acme/tasks#22 is still open after 50 ms " +
        "(WAIT_TIMEOUT_MS); close it and submit the job again",
    );
    // One waiting event however many re-checks: the open set did not change.
    expect(run.events.filter((e) => e.kind === "waiting")).toHaveLength(1);
    expect(run.statuses).toEqual([true, false]);
  });

  test("a cancel while waiting ends the wait at once, without a reason, back to running", async () => {
    const controller = new AbortController();
    const run = await startWait(
      "[ops] before [dev]",
      { recheckMs: HOUR, timeoutMs: HOUR },
      controller.signal,
    );
    await run.announced;
    controller.abort();
    expect(await run.ended).toEqual({ go: false });
    expect(run.statuses).toEqual([true, false]);
    expect(run.wakeups.waiting()).toBe(0);
  });
});
