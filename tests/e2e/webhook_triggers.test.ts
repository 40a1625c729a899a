import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { taskStatsScenario as scenario } from "../../examples/scenarios/task_stats.ts";
import type { JobEvent } from "../../src/contracts/job_events.ts";
import { type Harness, startHarness, waitForJob } from "./harness.ts";

const REPO = scenario.repo.fullName;

/** Polls `read` until it returns a value (deliveries are acted on after GitHub gets its answer). */
async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("GitHub webhooks end to end: a label starts the agent, and only a signed, first, permitted one", () => {
  let harness: Harness;
  const events: JobEvent[] = [];
  let job: Record<string, unknown>;
  let labeled: { id: string; status: number };

  const jobs = async () =>
    ((await (await fetch(`${harness.apiUrl}/v1/jobs?limit=100`)).json()) as {
      jobs: Array<{ id: string; issue: number; submitter?: string }>;
    }).jobs;
  const audit = async () =>
    (await Deno.readTextFile(harness.auditLogPath).catch(() => "")).split("\n").filter(Boolean).map((line) =>
      JSON.parse(line) as Record<string, unknown>
    );

  beforeAll(async () => {
    harness = await startHarness(scenario);
    harness.github.grantRole(REPO, "maria", "write");
    harness.github.grantRole(REPO, "rita", "read");
    // A read-only user's label first: ignored, with an audit line, before anything else can run.
    const ignored = await harness.github.labelIssueAs(REPO, 12, "agent", "rita");
    expect(ignored.status).toBe(202);
    await until(
      async () => (await audit()).find((l) => l.event === "webhook_ignored" && l.delivery === ignored.id),
      "the ignored delivery's audit line",
    );
    expect(await jobs()).toEqual([]);
    labeled = await harness.github.labelIssueAs(REPO, 12, "agent", "maria");
    const [queued] = await until(async () => {
      const all = await jobs();
      return all.length > 0 ? all : undefined;
    }, "the labelled issue's job");
    job = await waitForJob(harness.apiUrl, queued!.id, { onEvent: (e) => events.push(e) });
  });

  afterAll(async () => {
    await harness?.close();
  });

  test("the trigger label from a user with write access runs the job to a pull request", () => {
    expect(labeled.status).toBe(202);
    expect(job.status, String(job.reason)).toBe("succeeded");
    expect(job.submitter).toBe("github:maria");
    const pulls = harness.github.pulls(REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.body).toContain("Closes #12");
    expect(events.some((e) => e.kind === "test")).toBe(true);
  });

  test("the label from a read-only user started nothing and left an audit line naming them", async () => {
    const line = (await audit()).find((l) => l.event === "webhook_ignored");
    expect(line).toMatchObject({ sender: "rita", repo: REPO, githubEvent: "issues" });
    expect(await jobs()).toHaveLength(1);
  });

  test("the same delivery again is answered as a duplicate and starts no second job", async () => {
    const again = await harness.github.redeliver(labeled.id);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.response)).toMatchObject({ status: "duplicate", delivery: labeled.id });
    expect(await jobs()).toHaveLength(1);
  });

  test("a forged signature is refused with 401 and an audit line, and starts no job", async () => {
    const payload = JSON.parse(harness.github.deliveries.at(-1)!.body);
    const forged = await harness.github.deliver("issues", payload, {
      signature: `sha256=${"ab".repeat(32)}`,
    });
    expect(forged.status).toBe(401);
    expect((await audit()).find((l) => l.event === "webhook_rejected")).toMatchObject({
      reason: "bad_signature",
      delivery: forged.id,
    });
    expect(await jobs()).toHaveLength(1);
    expect(harness.github.pulls(REPO)).toHaveLength(1);
  });
});
