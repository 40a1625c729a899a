/**
 * One provider's end-to-end run of the demo scenario (unchanged): HTTP submit → sandbox → the
 * scripted model through the provider's stand-in and the real SDK → pytest → pull request, with the
 * checks every provider shares: the same loop, tools and prompt caching, the budget priced from the
 * provider's row of the price table, and no credential anywhere a person or the model could see it.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { captureConsole } from "../console_capture.ts";
import { taskStatsScenario as scenario } from "../../examples/scenarios/task_stats.ts";
import type { ModelPrice } from "../../src/agent/model_prices.ts";
import type { JobEvent } from "../../src/contracts/job_events.ts";
import type { AnthropicStandIn } from "../stand_ins/anthropic_server.ts";
import { type Harness, runScenarioJob, startHarness } from "./harness.ts";
import type { ProviderFront } from "./provider_fronts.ts";

const decoder = new TextDecoder();

/** What one provider run left behind, for that provider's own checks. */
export interface ProviderRun<T> {
  harness: Harness;
  standIn: T;
  job: Record<string, unknown>;
  events: JobEvent[];
}

/**
 * Declares the shared tests of a run through `front`; returns the run for the caller's own tests
 * (filled in before they run).
 */
export function providerRun<T>(
  front: (anthropic: AnthropicStandIn) => Promise<ProviderFront<T>>,
  price: ModelPrice,
): ProviderRun<T> {
  const run = {} as ProviderRun<T>;
  let printed = "";

  beforeAll(async () => {
    const console_ = captureConsole();
    try {
      run.harness = await startHarness(scenario, {
        provider: front as (a: AnthropicStandIn) => Promise<ProviderFront<unknown>>,
      });
      run.standIn = run.harness.provider!.standIn as T;
      const { job, events } = await runScenarioJob(run.harness, scenario);
      run.job = job;
      run.events = events;
    } finally {
      printed = console_.text();
      console_.restore();
    }
    // The run as a reviewer reads it (secrets are checked absent from these below).
    const env = run.harness.provider!.env;
    console.log(
      `MODEL_PROVIDER=${
        env.MODEL_PROVIDER ?? "anthropic"
      } MODEL=${env.MODEL} run of job ${run.job.id}: ${run.job.status}\n` +
        run.events.map((e) => `  ${e.seq} ${e.kind}: ${e.message}`).join("\n"),
    );
  });

  afterAll(async () => {
    await run.harness?.close();
  });

  test("the scenario runs unchanged to a pull request whose tests pass in the container", () => {
    expect(run.job.status, String(run.job.reason)).toBe("succeeded");
    const pull = run.harness.github.pulls(scenario.repo.fullName)[0]!;
    expect(pull.body).toContain("Closes #12");
    const files = run.harness.github.branchFiles(scenario.repo.fullName, pull.head)!;
    expect(decoder.decode(files.get("app/routers/stats.py"))).toMatch(/@router\.get\("\/stats"/);
    const tests = run.events.find((e) => e.kind === "test");
    expect(tests?.kind === "test" && tests.data.failed).toBe(0);
  });

  test("every model call went through the provider, with the loop's tools and prompt-cache breakpoints", () => {
    const requests = run.harness.anthropic!.requests as Array<Record<string, unknown>>;
    expect(requests.length).toBeGreaterThan(3);
    const calls = run.events.filter((e) => e.kind === "usage");
    expect(calls).toHaveLength(requests.length);
    for (const request of requests) {
      expect((request.tools as Array<{ name: string }>).map((t) => t.name)).toEqual(
        expect.arrayContaining(["bash", "submit_work"]),
      );
      expect(JSON.stringify(request)).toContain('"cache_control":{"type":"ephemeral"');
    }
  });

  test("the budget priced the usage at the provider's rate for the model", () => {
    const last = run.events.filter((e) => e.kind === "usage").at(-1);
    expect(last?.kind).toBe("usage");
    if (last?.kind !== "usage") return;
    const { inputTokens, outputTokens, totalTokens, costUsd } = last.data;
    // Cache tokens (counted in the total only) cost between the cache-read and the cache-write rate.
    const cached = totalTokens - inputTokens - outputTokens;
    const plain = inputTokens * price.input + outputTokens * price.output;
    expect(costUsd).toBeGreaterThanOrEqual((plain + cached * price.cacheRead) / 1_000_000 - 1e-12);
    expect(costUsd).toBeLessThanOrEqual((plain + cached * price.cacheWrite) / 1_000_000 + 1e-12);
    expect(costUsd).toBeGreaterThan(0);
  });

  test("no credential appears in the job, its events and trajectory, the audit log, GitHub or the logs", async () => {
    const secrets = run.harness.provider!.secrets();
    expect(secrets.length).toBeGreaterThan(0);
    const trajectory = await (await fetch(`${run.harness.apiUrl}/v1/jobs/${run.job.id}/trajectory`)).text();
    const github = JSON.stringify(run.harness.github.pulls(scenario.repo.fullName));
    const seen = [
      JSON.stringify(run.job),
      JSON.stringify(run.events),
      trajectory,
      await Deno.readTextFile(run.harness.auditLogPath).catch(() => ""),
      github,
      printed,
      JSON.stringify(run.harness.anthropic!.requests),
    ].join("\n");
    for (const secret of secrets) expect(seen).not.toContain(secret);
  });

  return run;
}
