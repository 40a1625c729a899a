import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Docker from "dockerode";
import { taskStatsScenario as scenario } from "../../examples/scenarios/task_stats.ts";
import type { JobEvent } from "../../src/contracts/job_events.ts";
import { type Harness, startHarness, waitForJob } from "./harness.ts";

const decoder = new TextDecoder();

describe("one job end to end: HTTP submit → sandbox → scripted model → pytest → pull request", () => {
  let harness: Harness;
  let job: Record<string, unknown>;
  const events: JobEvent[] = [];

  beforeAll(async () => {
    harness = await startHarness(scenario);
    const response = await fetch(`${harness.apiUrl}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repo: scenario.repo.fullName, issue: scenario.jobIssue, base: "main" }),
    });
    expect(response.status).toBe(202);
    const accepted = await response.json() as { id: string; status: string };
    expect(accepted.status).toBe("queued");
    job = await waitForJob(harness.apiUrl, accepted.id, {
      onEvent: (e) => events.push(e),
    });
  });

  afterAll(async () => {
    await harness?.close();
  });

  test("the job succeeds and reports the pull request it opened", () => {
    expect(job.status, String(job.reason)).toBe("succeeded");
    const prs = job.pullRequests as Array<{ issue: number; number: number; url: string }>;
    expect(prs).toHaveLength(1);
    expect(prs[0]!.issue).toBe(12);
    expect(prs[0]!.url).toContain(`/pull/${prs[0]!.number}`);
  });

  test("the branch holds the new endpoint, its tests and the wiring, on top of the base", () => {
    const pull = harness.github.pulls(scenario.repo.fullName)[0]!;
    expect(pull.head).toBe("agent/issue-12-add-an-endpoint-reporting-task");
    expect(pull.base).toBe("main");
    expect(pull.draft).toBe(true);
    const files = harness.github.branchFiles(scenario.repo.fullName, pull.head)!;
    const router = decoder.decode(files.get("app/routers/stats.py"));
    expect(router).toMatch(/@router\.get\("\/stats"/);
    const routerTest = decoder.decode(files.get("tests/routers/test_stats.py"));
    expect(routerTest).toContain("/v1/tasks/stats");
    expect(routerTest).toMatch(/def test_/);
    expect(decoder.decode(files.get("app/main.py"))).toContain("stats");
    const base = harness.github.branchFiles(scenario.repo.fullName, "main")!;
    expect(base.has("app/routers/stats.py")).toBe(false);
    expect(files.get("app/routers/tasks.py")).toEqual(base.get("app/routers/tasks.py"));
  });

  test("pytest ran in the container and passed, counting the new tests", () => {
    const run = events.find((e) => e.kind === "test" && e.data.issue === 12);
    expect(run?.kind === "test" && run.data.exitCode).toBe(0);
    const { passed, failed } = run?.kind === "test" ? run.data : { passed: 0, failed: -1 };
    expect(failed).toBe(0);
    expect(passed).toBeGreaterThan(17);
  });

  test("the body links the issue and maps every acceptance criterion", () => {
    const pull = harness.github.pulls(scenario.repo.fullName)[0]!;
    expect(pull.body).toContain("Closes #12");
    for (
      const heading of [
        "## Description",
        "## API / service changes",
        "## Auth & validation",
        "## Linked issue",
      ]
    ) {
      expect(pull.body).toContain(heading);
    }
    const issue = scenario.issues.find((i) => i.number === 12)!;
    const criteria = [...issue.body.matchAll(/^- \[ \] (.+)$/gm)].map((m) => m[1]!);
    expect(criteria.length).toBeGreaterThanOrEqual(2);
    for (const criterion of criteria) expect(pull.body).toContain(criterion);
    expect(pull.body).not.toContain("not mapped");
  });

  test("the container and its volume are gone afterwards", async () => {
    const docker = new Docker();
    const filters = JSON.stringify({ label: [`dev.backend-agent.job=${job.id}`] });
    expect(await docker.listContainers({ all: true, filters })).toEqual([]);
    expect((await docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
  });
});
