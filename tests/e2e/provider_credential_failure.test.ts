import Docker from "dockerode";
import { afterEach, describe, expect, test } from "vitest";
import { captureConsole } from "../console_capture.ts";
import { taskStatsScenario as scenario } from "../../examples/scenarios/task_stats.ts";
import type { AnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { type Harness, runScenarioJob, startHarness } from "./harness.ts";
import { bedrockFront, gatewayFront, type ProviderFront } from "./provider_fronts.ts";

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Runs the demo job through `front`, capturing what the service prints. */
async function failingRun(front: (anthropic: AnthropicStandIn) => Promise<ProviderFront<unknown>>) {
  const console_ = captureConsole();
  try {
    harness = await startHarness(scenario, { provider: front });
    const { job, events } = await runScenarioJob(harness, scenario);
    const trajectory = await (await fetch(`${harness.apiUrl}/v1/jobs/${job.id}/trajectory`)).text();
    const comments = JSON.stringify(harness.github.issueComments(scenario.repo.fullName, scenario.jobIssue));
    const seen = [JSON.stringify(job), JSON.stringify(events), trajectory, comments, console_.text()].join(
      "\n",
    );
    return { job, events, seen };
  } finally {
    console_.restore();
  }
}

async function leftovers(jobId: unknown) {
  const docker = new Docker();
  const filters = JSON.stringify({ label: [`dev.backend-agent.job=${jobId}`] });
  return [
    ...await docker.listContainers({ all: true, filters }),
    ...(await docker.listVolumes({ filters })).Volumes ?? [],
  ];
}

describe("a credential failure during a job ends it with the fix and shows no secret", () => {
  test("Bedrock from a host whose clock is 20 minutes off: model_error saying to synchronise the clock", async () => {
    const { job, events, seen } = await failingRun((anthropic) =>
      bedrockFront(anthropic, { clockSkewMs: 20 * 60_000 })
    );
    expect(job.status).toBe("failed");
    const errors = events.filter((e) => e.kind === "error").map((e) => e.message).join("\n");
    expect(errors).toContain("Signature expired");
    expect(errors).toContain("synchronise the clock (NTP)");
    for (const secret of harness!.provider!.secrets()) expect(seen).not.toContain(secret);
    expect(harness!.github.pulls(scenario.repo.fullName)).toEqual([]);
    expect(await leftovers(job.id)).toEqual([]);
  });

  test("a gateway refusing a stale header value and quoting it: the value is redacted, the fix names the setting", async () => {
    const stale = "gw-stale-7e1d9c3b5a7f9e1d3c5b7a9f";
    const { job, events, seen } = await failingRun((anthropic) =>
      gatewayFront(anthropic, { headerValue: stale })
    );
    expect(job.status).toBe("failed");
    const errors = events.filter((e) => e.kind === "error").map((e) => e.message).join("\n");
    expect(errors).toContain('x-gateway-key "[redacted]"');
    expect(errors).toContain("ANTHROPIC_CUSTOM_HEADERS");
    for (const secret of harness!.provider!.secrets()) expect(seen).not.toContain(secret);
    expect(seen).not.toContain(stale);
    expect(await leftovers(job.id)).toEqual([]);
  });
});
