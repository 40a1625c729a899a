import { afterEach, expect, test } from "vitest";
import Docker from "dockerode";
import { slowCommandScenario as scenario } from "../../examples/scenarios/misbehaving.ts";
import { fetchEvents, type Harness, startHarness, waitForJob } from "./harness.ts";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

test("cancelling a running job stops the command in flight, removes the sandbox and opens no PR", async () => {
  harness = await startHarness(scenario);
  const submitted = await fetch(`${harness.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: scenario.repo.fullName, issue: scenario.jobIssue }),
  });
  const { id } = await submitted.json() as { id: string };

  // Wait until the ten-minute command is running inside the sandbox.
  let seen = 0;
  let sleeping = false;
  while (!sleeping) {
    for (const e of await fetchEvents(harness.apiUrl, id, seen)) {
      seen = e.seq;
      if (e.kind === "tool" && e.data.summary.includes("time.sleep(600)")) sleeping = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const filters = JSON.stringify({ label: [`dev.backend-agent.job=${id}`] });
  const docker = new Docker();
  expect(await docker.listContainers({ filters })).toHaveLength(1);

  const cancelled = await fetch(`${harness.apiUrl}/v1/jobs/${id}/cancel`, { method: "POST" });
  expect(cancelled.status).toBe(202);
  // The test's own timeout (far below the command's ten minutes) is what proves the command was stopped.
  const job = await waitForJob(harness.apiUrl, id, { timeoutMs: 60_000 });
  expect(job.status).toBe("cancelled");
  expect(await docker.listContainers({ all: true, filters })).toEqual([]);
  expect((await docker.listVolumes({ filters })).Volumes ?? []).toEqual([]);
  expect(harness.github.pulls(scenario.repo.fullName)).toEqual([]);
  expect(harness.anthropic!.requests).toHaveLength(1);
});
