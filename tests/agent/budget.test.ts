import { describe, expect, it } from "vitest";
import { type BudgetLimits, createBudget, DEFAULT_PRICES, priceOf } from "../../src/agent/budget.ts";
import { ConfigError } from "../../src/errors.ts";

const LIMITS: BudgetLimits = {
  maxTurns: 3,
  maxOutputTokensPerCall: 1_000,
  maxOutputTokensCap: 2_000,
  exactCountWithin: 0.25,
  maxTotalTokens: 10_000,
  maxUsd: 1,
  maxWallClockMs: 60_000,
};

describe("priceOf", () => {
  it("matches the longest model-id prefix", () => {
    expect(priceOf("claude-sonnet-4-5-20250929", DEFAULT_PRICES)).toMatchObject({ input: 3, output: 15 });
    expect(priceOf("claude-sonnet-5-5", DEFAULT_PRICES)).toMatchObject({
      input: 2,
      output: 10,
      cacheRead: 0.1,
    });
    expect(priceOf("claude-opus-4-1-20250805", DEFAULT_PRICES)).toMatchObject({ input: 15, output: 75 });
    expect(priceOf("claude-opus-4-8", DEFAULT_PRICES)).toMatchObject({ input: 5, output: 25 });
  });

  it("throws a ConfigError naming a model it has no price for", () => {
    expect(() => priceOf("gpt-5", DEFAULT_PRICES)).toThrow(ConfigError);
    expect(() => priceOf("gpt-5", DEFAULT_PRICES)).toThrow(/"gpt-5"/);
  });
});

describe("createBudget", () => {
  it("refuses limits that are not positive numbers", () => {
    expect(() => createBudget({ ...LIMITS, maxUsd: 0 }, { model: "claude-sonnet-5" })).toThrow(/maxUsd/);
    expect(() => createBudget({ ...LIMITS, maxTurns: Number.NaN }, { model: "claude-sonnet-5" })).toThrow(
      ConfigError,
    );
  });

  it("takes price overrides over the default table", () => {
    const budget = createBudget(LIMITS, {
      model: "in-house-model",
      prices: { "in-house": { input: 1, output: 2, cacheWrite: 0, cacheRead: 0 } },
    });
    expect(budget.record("msg_1", { input_tokens: 1_000_000, output_tokens: 1_000_000 }).costUsd).toBe(3);
  });

  it("prices input, output, cache writes and cache reads at their own rates", () => {
    const budget = createBudget(LIMITS, { model: "claude-sonnet-4-6" });

    const totals = budget.record("msg_1", {
      input_tokens: 1_000,
      output_tokens: 100,
      cache_creation_input_tokens: 2_000,
      cache_read_input_tokens: 10_000,
    });

    expect(totals.totalTokens).toBe(13_100);
    // 1000*3 + 100*15 + 2000*3.75 + 10000*0.3 = 15000 micro-dollars
    expect(totals.costUsd).toBeCloseTo(0.015, 10);
  });

  it("counts a message id only once", () => {
    const budget = createBudget(LIMITS, { model: "claude-sonnet-5" });
    const usage = { input_tokens: 10, output_tokens: 5 };

    budget.record("msg_a", usage);
    budget.record("msg_a", usage);
    budget.record("msg_b", usage);

    expect(budget.totals).toMatchObject({ inputTokens: 20, outputTokens: 10, totalTokens: 30 });
  });

  it("refuses a call whose worst case (input + max_tokens) would pass the token budget", () => {
    const budget = createBudget(LIMITS, { model: "claude-sonnet-5" });
    budget.record("msg_1", { input_tokens: 4_000, output_tokens: 0 });

    expect(budget.checkCall(5_000)).toBeUndefined();
    expect(budget.checkCall(5_001)).toMatchObject({
      kind: "budget_exceeded",
      reason: /Token budget of 10000/,
    });
  });

  it("refuses a call whose worst case would pass the dollar budget", () => {
    const budget = createBudget({ ...LIMITS, maxTotalTokens: 1e9, maxUsd: 0.02 }, {
      model: "claude-sonnet-5",
    });

    // 1000 in * $2.50/M (as cache writes) + 1000 out * $10/M = $0.0125
    expect(budget.checkCall(1_000)).toBeUndefined();
    budget.record("msg_1", { input_tokens: 5_000, output_tokens: 0 }); // $0.010
    expect(budget.checkCall(1_000)).toMatchObject({
      kind: "budget_exceeded",
      reason: /Dollar budget of \$0\.0200/,
    });
  });

  it("refuses a call whose worst case is more than a shared allowance has left, naming it", () => {
    let left = 0.05;
    const allowance = {
      remainingUsd: () => left,
      label: "Daily budget of key:ci (QUOTA_USD_PER_DAY=$100.00)",
      renews: "at 00:00 UTC",
    };
    const budget = createBudget({ ...LIMITS, maxTotalTokens: 1e9, allowance }, { model: "claude-sonnet-5" });

    // The run's own budget ($1) has room; the call's worst case ($0.0125: input priced as cache
    // writes, $2.50/M) fits what the allowance has left.
    expect(budget.checkCall(1_000)).toBeUndefined();
    // Other runs of the same submitter spent the rest: the next call does not start.
    left = 0.012;
    expect(budget.checkCall(1_000)).toEqual({
      kind: "budget_exceeded",
      reason: "Daily budget of key:ci (QUOTA_USD_PER_DAY=$100.00) would be exceeded: $0.0120 left, " +
        "next call could cost $0.0125; it renews at 00:00 UTC",
    });
    left = -3;
    expect(budget.checkCall(1)).toMatchObject({ reason: /\$0\.0000 left/ });
  });

  it("refuses a call once the turns are used up", () => {
    const budget = createBudget(LIMITS, { model: "claude-sonnet-5" });
    for (let i = 0; i < 3; i++) budget.startTurn();

    expect(budget.turns).toBe(3);
    expect(budget.checkCall(1)).toMatchObject({ kind: "budget_exceeded", reason: /Turn budget of 3/ });
  });

  it("reports a timeout once the wall clock is used up", () => {
    let now = 500;
    const budget = createBudget(LIMITS, { model: "claude-sonnet-5", clock: () => now });

    now += 59_999;
    expect(budget.checkClock()).toBeUndefined();
    expect(budget.remainingMs()).toBe(1);
    now += 1;
    expect(budget.checkCall(1)).toMatchObject({ kind: "timeout" });
    expect(budget.remainingMs()).toBe(0);
  });
});
