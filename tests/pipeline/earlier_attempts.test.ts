import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createBudget } from "../../src/agent/budget.ts";
import { loadConfig } from "../../src/config.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import type { JobStore } from "../../src/jobs/store.ts";
import { budgetAfterEarlierAttempts, onTopOfEarlierAttempts } from "../../src/pipeline/earlier_attempts.ts";
import type { Job } from "../../src/contracts/job.ts";
import { NO_USAGE } from "../../src/contracts/usage.ts";
import { DEFAULT_ANTHROPIC_MODEL } from "../../src/config_schema_model.ts";
import { budgetLimits } from "../../src/service_pipeline.ts";

const config = loadConfig({ GITHUB_TOKEN: "ghp_x", ANTHROPIC_API_KEY: "sk-ant-x", BUDGET_USD: "2" });
const limits = budgetLimits(config);
const spent = (costUsd: number, totalTokens: number) => ({
  inputTokens: totalTokens - 100,
  outputTokens: 100,
  totalTokens,
  costUsd,
  turns: 7,
  ephemeral5mInputTokens: 40,
  ephemeral1hInputTokens: 10,
});

describe("a job's rerun (host-down retry, takeover, requeue) counts what its earlier attempts spent", () => {
  let store: JobStore;
  beforeEach(() => {
    store = openSqliteStore(":memory:", { idempotencyTtlMs: 60_000 });
  });
  afterEach(() => store.close());

  /** The job as a rerun takes it: work item #5 already spent `costUsd` and `totalTokens`. */
  async function rerunAfter(costUsd: number, totalTokens: number) {
    const { id } = await store.create({ repo: "acme/tasks", issue: 5 });
    await store.claimNext();
    await store.recordUsage(id, 5, spent(costUsd, totalTokens));
    return (await store.get(id))!;
  }

  test("the work item's dollar and token budgets are what the earlier attempts left; turns stay per attempt", async () => {
    const job = await rerunAfter(1.25, 30_000);
    const left = budgetAfterEarlierAttempts(limits, job, 5);
    expect(left.maxUsd).toBeCloseTo(0.75, 10);
    expect(left.maxTotalTokens).toBe(limits.maxTotalTokens - 30_000);
    expect(left.maxTurns).toBe(limits.maxTurns);
    // Another work item of the job, or a first attempt, keeps the whole budget.
    expect(budgetAfterEarlierAttempts(limits, job, 6)).toEqual(limits);
  });

  test("a budget the earlier attempts used up stops the rerun's first model call, so nothing is spent again", async () => {
    const job = await rerunAfter(2.1, 30_000);
    const budget = createBudget(budgetAfterEarlierAttempts(limits, job, 5), {
      model: DEFAULT_ANTHROPIC_MODEL,
      clock: () => 0,
    });
    expect(budget.checkCall(1_000)).toMatchObject({ kind: "budget_exceeded" });
    // The same call on a first attempt goes ahead.
    expect(createBudget(limits, { model: DEFAULT_ANTHROPIC_MODEL, clock: () => 0 }).checkCall(1_000))
      .toBeUndefined();
  });
});

const earlier = {
  inputTokens: 100,
  outputTokens: 20,
  ephemeral5mInputTokens: 300,
  ephemeral1hInputTokens: 400,
  totalTokens: 820,
  costUsd: 0.5,
  turns: 2,
};

test("an attempt's usage is added to its work item's earlier attempts', the cache writes by TTL included", () => {
  const job = { workItems: [{ issue: 7, status: "running", usage: earlier }] } as unknown as Job;
  const onTop = onTopOfEarlierAttempts(job);
  const now = {
    ...NO_USAGE,
    inputTokens: 10,
    ephemeral1hInputTokens: 50,
    totalTokens: 60,
    costUsd: 0.25,
    turns: 1,
  };
  expect(onTop(7, now)).toEqual({
    inputTokens: 110,
    outputTokens: 20,
    ephemeral5mInputTokens: 300,
    ephemeral1hInputTokens: 450,
    totalTokens: 880,
    costUsd: 0.75,
    turns: 3,
  });
  expect(onTop(9, now)).toEqual(now);
});
