import { afterAll, beforeAll, expect, test } from "vitest";
import Docker from "dockerode";
import type { Scenario } from "../../examples/scenario.ts";
import { type Harness, startHarness, waitForJob } from "./harness.ts";

const scenario: Scenario = {
  name: "not a work item",
  repo: { fullName: "acme/task-service", dir: "examples/task_service", defaultBranch: "main" },
  issues: [
    { number: 30, title: "Improve onboarding", body: "A parent without dev work.", subIssues: [31] },
    { number: 31, title: "[ops] Add an alert", body: "Ops only." },
  ],
  jobIssue: 30,
  scripts: [],
};

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(scenario);
});
afterAll(async () => {
  await harness?.close();
});

test("an issue that is not [dev] and has no [dev] sub-issues fails with that reason, leaving nothing behind", async () => {
  const response = await fetch(`${harness.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: scenario.repo.fullName, issue: 30 }),
  });
  const { id } = await response.json() as { id: string };
  const job = await waitForJob(harness.apiUrl, id);
  expect(job.status).toBe("failed");
  expect(job.reason).toMatch(/#30 .*not a \[dev\] work item and has no \[dev\] sub-issues/);
  expect(job.pullRequests).toEqual([]);
  expect(harness.github.pulls(scenario.repo.fullName)).toEqual([]);
  expect(harness.anthropic!.requests).toEqual([]);
  const filters = JSON.stringify({ label: [`dev.backend-agent.job=${id}`] });
  expect(await new Docker().listContainers({ all: true, filters })).toEqual([]);
});
