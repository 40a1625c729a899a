/**
 * A tool that fails is the model's to read, and the run's record is kept whatever ends it: the
 * editor pointed at a named pipe answers with a refusal (no 30 s hang, no infrastructure failure)
 * and the run goes on to its pull request; a sandbox lost mid-run, or a cancelled job, still
 * leaves the trajectory up to that point saved with the job.
 */
import Docker from "dockerode";
import { afterEach, describe, expect, test } from "vitest";
import type { TrajectoryEntry } from "../../src/agent/trajectory.ts";
import { slowCommandScenario } from "../../examples/scenarios/misbehaving.ts";
import { fifoScenario } from "../../examples/scenarios/tool_failures.ts";
import { fetchEvents, type Harness, runScenarioJob, startHarness, waitForJob } from "./harness.ts";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface ToolResult {
  type: string;
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}

/** Every tool_result the model was sent, in order. */
function toolResults(h: Harness): ToolResult[] {
  const last = h.anthropic!.requests.at(-1) as { messages: Array<{ role: string; content: unknown }> };
  return last.messages.flatMap((m) =>
    m.role === "user" && Array.isArray(m.content)
      ? (m.content as ToolResult[]).filter((b) => b.type === "tool_result")
      : []
  );
}

/** Submits `scenario`'s job and waits until a tool call whose summary holds `marker` has started. */
async function submitAndWaitForTool(h: Harness, marker: string): Promise<string> {
  const submitted = await fetch(`${h.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: slowCommandScenario.repo.fullName, issue: slowCommandScenario.jobIssue }),
  });
  const { id } = await submitted.json() as { id: string };
  let seen = 0;
  for (let started = false; !started;) {
    for (const e of await fetchEvents(h.apiUrl, id, seen)) {
      seen = e.seq;
      if (e.kind === "tool" && e.data.summary.includes(marker)) started = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return id;
}

async function trajectoryOf(h: Harness, id: string): Promise<TrajectoryEntry[]> {
  const stored = await h.service.store.getTrajectories(id);
  expect(stored.map((s) => s.issue)).toEqual([slowCommandScenario.jobIssue]);
  return stored[0]!.trajectory as TrajectoryEntry[];
}

describe("a tool failure is a tool result", () => {
  test("the editor pointed at a FIFO answers with a refusal, and the run goes on to its pull request", async () => {
    harness = await startHarness(fifoScenario);
    const { id, job } = await runScenarioJob(harness, fifoScenario);
    const refusal = toolResults(harness)[1]!;
    expect(refusal).toMatchObject({
      is_error: true,
      content:
        "The path /workspace/docs.md is a FIFO (named pipe), not a regular file; the editor only opens " +
        "regular files and left it as it was. Inspect it with bash (ls -l, file) if you need to.",
    });
    expect(job.status).toBe("succeeded");
    const pulls = harness.github.pulls(fifoScenario.repo.fullName);
    expect(pulls).toHaveLength(1);
    const files = harness.github.branchFiles(fifoScenario.repo.fullName, pulls[0]!.head)!;
    expect(new TextDecoder().decode(files.get("docs.md"))).toMatch(/^# Configuration/);
    const stored = await harness.service.store.getTrajectories(id);
    const viewed = (stored[0]!.trajectory as TrajectoryEntry[])[1]!.tools[0]!;
    expect(viewed).toMatchObject({ name: "str_replace_based_edit_tool", isError: true });
  });
});

describe("the trajectory is saved on every path", () => {
  test("a sandbox lost mid-run ends the work item with an error, and the trajectory up to it is saved", async () => {
    harness = await startHarness(slowCommandScenario);
    const id = await submitAndWaitForTool(harness, "time.sleep(600)");
    // The engine loses the sandbox while its command runs.
    const docker = new Docker();
    const filters = JSON.stringify({ label: [`dev.backend-agent.job=${id}`] });
    const [container] = await docker.listContainers({ filters });
    await docker.getContainer(container!.Id).remove({ force: true });

    const job = await waitForJob(harness.apiUrl, id, { timeoutMs: 120_000 });
    expect(job.status).toBe("failed");
    const [item] = job.workItems as Array<{ status: string; reason: string }>;
    expect(item).toMatchObject({ status: "error", reason: expect.stringMatching(/bash session/) });
    const trajectory = await trajectoryOf(harness, id);
    expect(trajectory.map((e) => e.tools.map((t) => [t.name, t.isError]))).toEqual([
      [["bash", false]],
      [["bash", true]],
    ]);
    expect(trajectory[1]!.tools[0]!.output).toMatch(/^\[the tool could not run, and the run stopped: /);
  });

  test("a job cancelled while a command runs keeps the trajectory up to the cancellation", async () => {
    harness = await startHarness(slowCommandScenario);
    const id = await submitAndWaitForTool(harness, "time.sleep(600)");
    expect((await fetch(`${harness.apiUrl}/v1/jobs/${id}/cancel`, { method: "POST" })).status).toBe(202);
    const job = await waitForJob(harness.apiUrl, id, { timeoutMs: 60_000 });
    expect(job.status).toBe("cancelled");
    const trajectory = await trajectoryOf(harness, id);
    expect(trajectory).toHaveLength(1);
    expect(trajectory[0]!.tools.map((t) => t.name)).toEqual(["bash"]);
  });
});
