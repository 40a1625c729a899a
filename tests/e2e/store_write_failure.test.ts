/**
 * A store write that fails in the middle of a real run (the agent loop's first usage event and
 * first usage record, written from its synchronous `onEvent`) is reported, not left floating:
 * the job still ends with its recorded status, the service keeps serving, and no rejection goes
 * unhandled (under Deno one would end the process).
 */
import { afterEach, expect, test } from "vitest";
import { taskStatsScenario as scenario } from "../../examples/scenarios/task_stats.ts";
import { type FailingStore, failOnce } from "../jobs/failing_store.ts";
import { type Harness, runScenarioJob, startHarness } from "./harness.ts";

let harness: Harness | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (event: PromiseRejectionEvent) => {
  event.preventDefault();
  unhandled.push(event.reason);
};
globalThis.addEventListener("unhandledrejection", onUnhandled);
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  globalThis.removeEventListener("unhandledrejection", onUnhandled);
});

test("a usage event and a usage record that fail once mid-run: the job still succeeds and is recorded", async () => {
  const failures: FailingStore[] = [];
  harness = await startHarness(scenario, {
    wrapStore: (store) => {
      const events = failOnce(
        store,
        "appendEvent",
        (_, event) => (event as { kind: string }).kind === "usage",
      );
      const usage = failOnce(events.store, "recordUsage");
      failures.push(events, usage);
      return usage.store;
    },
  });
  const { id, job, events } = await runScenarioJob(harness, scenario);
  expect(job.status, String(job.reason)).toBe("succeeded");
  expect(failures.map((f) => f.failed.length)).toEqual([1, 1]);
  // The turn-1 usage event is the one lost; the later ones, and the job's usage, are recorded.
  const turns = events.flatMap((e) => e.kind === "usage" ? [e.data.turn] : []);
  expect(turns.length).toBeGreaterThan(0);
  expect(turns).not.toContain(1);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect((job.usage as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
  // The service keeps serving.
  expect((await fetch(`${harness.apiUrl}/healthz`)).status).toBe(200);
  expect((await (await fetch(`${harness.apiUrl}/v1/jobs/${id}`)).json()).status).toBe("succeeded");
  await new Promise((r) => setTimeout(r, 50));
  expect(unhandled).toEqual([]);
});
