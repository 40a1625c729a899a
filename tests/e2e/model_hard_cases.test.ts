/**
 * The Messages API's hard cases that end a work item, through the whole service with real Docker: a
 * refusal opens no pull request and keeps the model's words in the trajectory; 529s past the SDK's
 * retries end the work item `model_unavailable` with its sandbox removed; a model id the API does not
 * serve fails the job at once, naming the id and the setting, before any container is created; one the
 * check passes but the model call refuses ends its work item and the job there.
 */
import { Buffer } from "node:buffer";
import Docker from "dockerode";
import { afterEach, describe, expect, test } from "vitest";
import { parentIssueScenario } from "../../examples/scenarios/parent_issue.ts";
import type { Scenario, ScriptedTurn } from "../../examples/scenario.ts";
import type { BedrockStandIn } from "../stand_ins/bedrock_server.ts";
import { type Harness, type HarnessOptions, runScenarioJob, startHarness } from "./harness.ts";
import { bedrockFront } from "./provider_fronts.ts";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const REPO = parentIssueScenario.repo.fullName;
type Item = { issue: number; status: string; reason?: string; pullRequest?: unknown };

/** The parent scenario with sub-issue #21's model turns replaced by `turns`, submitted as `issue`. */
function withTurnsFor21(turns: ScriptedTurn[], issue: number): Scenario {
  const [dueDate, ...others] = parentIssueScenario.scripts;
  return { ...parentIssueScenario, jobIssue: issue, scripts: [{ ...dueDate!, turns }, ...others] };
}

async function run(scenario: Scenario, options: HarnessOptions = {}) {
  harness = await startHarness(scenario, options);
  const result = await runScenarioJob(harness, scenario);
  return { ...result, items: result.job.workItems as Item[] };
}

async function leftInDocker(jobId: string) {
  const docker = new Docker();
  const filters = JSON.stringify({ label: [`dev.backend-agent.job=${jobId}`] });
  return {
    containers: await docker.listContainers({ all: true, filters }),
    volumes: (await docker.listVolumes({ filters })).Volumes ?? [],
  };
}

describe("a work item the model cannot finish", () => {
  test("a refusal ends it model_refused: no pull request, the refusal kept in the trajectory", async () => {
    const refusal: ScriptedTurn = {
      content: [{ type: "text", text: "I won't make this change." }],
      stop_reason: "refusal",
    };
    const { id, job, items } = await run(withTurnsFor21([refusal], 21));

    expect(job.status).toBe("failed");
    expect(items.map((i) => [i.issue, i.status])).toEqual([[21, "model_refused"]]);
    expect(items[0]!.reason).toMatch(/declined to continue \(stop_reason "refusal"\)/);
    expect(items[0]!.pullRequest).toBeUndefined();
    expect(harness!.github.pulls(REPO)).toEqual([]);
    const pushes = harness!.github.requests.filter((r) =>
      r.method !== "GET" && /\/git\/|\/pulls/.test(r.path)
    );
    expect(pushes).toEqual([]);
    const kept = await (await fetch(`${harness!.apiUrl}/v1/jobs/${id}/trajectory`)).json() as {
      trajectories: Array<
        { issue: number; trajectory: Array<{ response?: { stopReason: string; content: unknown } }> }
      >;
    };
    const turns = kept.trajectories.find((t) => t.issue === 21)!.trajectory;
    expect(turns.at(-1)?.response).toMatchObject({
      stopReason: "refusal",
      content: [{ type: "text", text: "I won't make this change." }],
    });
  });

  test("529 past the SDK's retries ends it model_unavailable, its sandbox and volume removed", async () => {
    const overloaded: ScriptedTurn = {
      error: { status: 529, type: "overloaded_error", message: "Overloaded" },
      times: 10,
    };
    const { id, job, items, events } = await run(withTurnsFor21([overloaded], 21), {
      env: { ANTHROPIC_MAX_RETRIES: "2" },
      anthropic: { retryAfterMs: 5 },
    });

    expect(job.status).toBe("failed");
    expect(items.map((i) => [i.issue, i.status])).toEqual([[21, "model_unavailable"]]);
    expect(items[0]!.reason).toMatch(/HTTP 529 \(overloaded_error\): Overloaded \[request-id req_\w+\]/);
    // One call: the SDK's try and its two retries, then the work item ended.
    expect(harness!.anthropic!.requests).toHaveLength(3);
    expect(events.some((e) => e.kind === "sandbox" && e.data.issue === 21)).toBe(true);
    expect(await leftInDocker(id)).toEqual({ containers: [], volumes: [] });
    expect(harness!.github.pulls(REPO)).toEqual([]);
  });
});

describe("a work item the loop gets past the hard cases of", () => {
  test("tool calls cut off at a small MAX_OUTPUT_TOKENS are retried with more, and the work item still gets its PR; the events say so", async () => {
    const { job, items, events } = await run({ ...parentIssueScenario, jobIssue: 21 }, {
      env: { MAX_OUTPUT_TOKENS: "300", MAX_OUTPUT_TOKENS_CAP: "4000" },
    });

    expect(job.status).toBe("succeeded");
    expect(items.map((i) => [i.issue, i.status])).toEqual([[21, "submitted"]]);
    const raised = events.flatMap((e) => e.kind === "model_recovery" ? [e.data] : []);
    expect(raised.length).toBeGreaterThan(0);
    for (const data of raised) {
      expect(data).toMatchObject({ issue: 21, action: "output_raised" });
      expect(data.detail).toMatch(
        /tool call was cut off at max_tokens \d+; the turn is retried with max_tokens \d+$/,
      );
    }
    const usage = events.flatMap((e) => e.kind === "usage" ? [e.data] : []);
    expect(usage.length).toBeGreaterThan(raised.length);
    for (const data of usage) {
      expect(data.call?.projected.by).toBe("estimate");
      expect(data.call!.projected.costUsd).toBeGreaterThanOrEqual(data.call!.actual.costUsd);
    }
    expect(harness!.github.pulls(REPO)).toHaveLength(1);
  });
});

describe("a model id the API does not serve", () => {
  test("fails the job at once, naming the id and the setting: no repository read, no container created", async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const { id, job, items, events } = await run(parentIssueScenario, {
      env: { MODEL: "claude-sonnet-4-20250514" },
      anthropic: { models: ["claude-sonnet-5-5"] },
    });

    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(
      /^model_not_found: The model API does not serve model "claude-sonnet-4-20250514" \(unknown or retired\): HTTP 404 \(not_found_error\): model: claude-sonnet-4-20250514 \[request-id req_\w+\]; set MODEL to a model id the API serves$/,
    );
    expect(items).toEqual([]);
    expect(events.map((e) => e.kind)).not.toContain("snapshot");
    expect(events.map((e) => e.message)).toContainEqual(expect.stringMatching(/^model check: .*set MODEL/));
    // The check was one count-tokens call; no model call was made.
    expect(harness!.anthropic!.countRequests).toEqual([
      expect.objectContaining({ model: "claude-sonnet-4-20250514" }),
    ]);
    expect(harness!.anthropic!.requests).toEqual([]);
    expect(harness!.github.requests.filter((r) => /tarball|\/git\/|\/comments/.test(r.path))).toEqual([]);
    expect(await containersCreatedFor(id, since)).toEqual([]);
    expect(await leftInDocker(id)).toEqual({ containers: [], volumes: [] });
  });
});

describe("a model id the check passes but the model call refuses", () => {
  test("on Bedrock, a profile of another geography: the first work item ends model_not_found and the job stops there", async () => {
    const foundation = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    const { id, job, items } = await run(parentIssueScenario, {
      provider: (anthropic) => bedrockFront(anthropic),
      env: { MODEL: `eu.${foundation}` },
      anthropic: { models: [foundation, `us.${foundation}`] },
    });

    expect(job.status).toBe("failed");
    expect(String(job.reason)).toMatch(
      /^The model API does not serve model "eu\.anthropic\.claude-sonnet-4-5-20250929-v1:0" \(unknown or retired\): HTTP 400: .*The provided model identifier is invalid\.; set MODEL to a model id the API serves$/,
    );
    expect(items.map((i) => [i.issue, i.status])).toEqual([[21, "model_not_found"], [23, "skipped"]]);
    expect(items[1]!.reason).toMatch(/Not started: the job stopped because the model id is not served/);
    const bedrock = harness!.provider!.standIn as BedrockStandIn;
    expect(bedrock.calls.map((c) => [c.operation, c.modelId])).toEqual([
      ["CountTokens", foundation],
      ["InvokeModel", `eu.${foundation}`],
    ]);
    expect(await leftInDocker(id)).toEqual({ containers: [], volumes: [] });
  });
});

/** The names of the containers Docker created with job `jobId`'s label since `since` (Unix seconds). */
async function containersCreatedFor(jobId: string, since: number): Promise<string[]> {
  const stream = await new Docker().getEvents({
    since,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: JSON.stringify({
      type: ["container"],
      event: ["create"],
      label: [`dev.backend-agent.job=${jobId}`],
    }),
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks).toString().split("\n").filter(Boolean).map((line) =>
    JSON.parse(line).Actor.Attributes.name
  );
}
