/**
 * `[ops]` first, through the whole service with real Docker: a parent whose body puts `[ops]`
 * before `[dev]` waits (`waiting`, its open `[ops]` issue named) and starts no sandbox; when the
 * `[ops]` issue closes and GitHub's signed `issues.closed` webhook reaches the service, it resumes
 * to one PR per `[dev]` sub-issue. A cancel ends a waiting job; `WAIT_TIMEOUT_MS` fails it `ops_not_done`.
 */
import { afterEach, describe, expect, test } from "vitest";
import type { Scenario } from "../../examples/scenario.ts";
import { parentIssueScenario } from "../../examples/scenarios/parent_issue.ts";
import type { JobEvent } from "../../src/contracts/job_events.ts";
import { fetchEvents, type Harness, startHarness, waitForJob } from "./harness.ts";

const REPO = parentIssueScenario.repo.fullName;
const ORDER =
  "\n\n## Order\n\n[ops] before [dev]: the overdue alert is in place before the API changes ship.\n";
const OPS_ISSUE = parentIssueScenario.issues.find((i) => i.number === 22)!;

/** The parent-issue scenario, its parent (#20) putting `[ops]` first. */
const opsFirstScenario: Scenario = {
  ...parentIssueScenario,
  name: "ops first",
  issues: parentIssueScenario.issues.map((issue) =>
    issue.number === 20 ? { ...issue, body: `${issue.body}${ORDER}` } : issue
  ),
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function submit(h: Harness): Promise<string> {
  const response = await fetch(`${h.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: REPO, issue: 20 }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

/** Polls `GET /v1/jobs/{id}` until the job is `waiting`; returns it and the events so far. */
async function untilWaiting(h: Harness, id: string) {
  while (true) {
    const job = await (await fetch(`${h.apiUrl}/v1/jobs/${id}`)).json() as Record<string, unknown>;
    if (job.status === "waiting") return { job, events: await fetchEvents(h.apiUrl, id, 0) };
    expect(["queued", "running"]).toContain(job.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const kinds = (events: JobEvent[]) => events.map((e) => e.kind);

describe("[ops] first", () => {
  test("a parent with ops first waits, its [ops] issue closes, and it resumes to two PRs", async () => {
    // The re-check is an hour away: only the issues.closed webhook can resume the job here.
    harness = await startHarness(opsFirstScenario, { env: { WAIT_RECHECK_MS: "3600000" } });
    const id = await submit(harness);
    const waiting = await untilWaiting(harness, id);
    const announced = waiting.events.find((e) => e.kind === "waiting");
    expect(announced?.data).toEqual({
      parent: 20,
      open: [{ repo: REPO, number: 22, title: OPS_ISSUE.title, url: expect.stringContaining("/issues/22") }],
    });
    expect(kinds(waiting.events)).not.toContain("sandbox");
    expect(harness.github.pulls(REPO)).toEqual([]);

    // Someone closes the [ops] issue on GitHub: the stand-in delivers a signed `issues.closed` webhook.
    const closed = await harness.github.closeIssueAs(REPO, 22, "olga");
    expect(closed.status).toBe(202);
    const events: JobEvent[] = [];
    const job = await waitForJob(harness.apiUrl, id, { onEvent: (e) => events.push(e) });

    expect(job.status).toBe("succeeded");
    const resumed = events.findIndex((e) => e.kind === "waiting" && e.data.open.length === 0);
    expect(resumed).toBeGreaterThanOrEqual(0);
    expect(resumed).toBeLessThan(events.findIndex((e) => e.kind === "sandbox"));
    const pulls = harness.github.pulls(REPO);
    expect(pulls).toHaveLength(2);
    expect(pulls.map((p) => p.body.match(/Closes #(\d+)/)?.[1]).sort()).toEqual(["21", "23"]);
    expect((job.pullRequests as unknown[]).length).toBe(2);
  });

  test("a cancel while waiting ends the job cancelled, with no sandbox and no PR", async () => {
    harness = await startHarness(opsFirstScenario);
    const id = await submit(harness);
    await untilWaiting(harness, id);
    const response = await fetch(`${harness.apiUrl}/v1/jobs/${id}/cancel`, { method: "POST" });
    expect(response.status).toBe(202);
    const events: JobEvent[] = [];
    const job = await waitForJob(harness.apiUrl, id, { onEvent: (e) => events.push(e) });
    expect(job).toMatchObject({ status: "cancelled", reason: "cancelled by anonymous" });
    expect(kinds(events)).not.toContain("sandbox");
    expect(harness.github.pulls(REPO)).toEqual([]);
  });

  test("WAIT_TIMEOUT_MS ends the job failed: ops_not_done, naming the open [ops] issue", async () => {
    harness = await startHarness(opsFirstScenario, {
      env: { WAIT_RECHECK_MS: "50", WAIT_TIMEOUT_MS: "300" },
    });
    const id = await submit(harness);
    const events: JobEvent[] = [];
    const job = await waitForJob(harness.apiUrl, id, { onEvent: (e) => events.push(e) });
    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(
      /^ops_not_done: parent #20 puts \[ops\] first and acme\/\S+#22 is still open/,
    );
    const items = job.workItems as Array<{ issue: number; status: string; reason: string }>;
    expect(items.map((i) => [i.issue, i.status])).toEqual([[21, "skipped"], [23, "skipped"]]);
    expect(kinds(events)).not.toContain("sandbox");
    expect(harness.github.pulls(REPO)).toEqual([]);
  });
});
