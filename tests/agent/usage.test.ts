import { describe, expect, it } from "vitest";
import { createBudget } from "../../src/agent/budget.ts";
import { usageSchema } from "../../src/contracts/usage.ts";

describe("usageSchema", () => {
  it("is what the budget's totals are", () => {
    const budget = createBudget(
      {
        maxTurns: 3,
        maxOutputTokensPerCall: 1_000,
        maxOutputTokensCap: 2_000,
        exactCountWithin: 0.25,
        maxTotalTokens: 10_000,
        maxUsd: 1,
        maxWallClockMs: 60_000,
      },
      { model: "claude-sonnet-5-5" },
    );
    budget.record("msg_1", {
      input_tokens: 10,
      output_tokens: 5,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: null,
    });

    expect(usageSchema.strict().parse(budget.totals)).toEqual(budget.totals);
  });

  it("refuses negative or fractional token counts and a missing field", () => {
    const valid = {
      inputTokens: 1,
      outputTokens: 1,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      ephemeral5mInputTokens: 0,
      ephemeral1hInputTokens: 0,
      totalTokens: 2,
      costUsd: 0.001,
    };
    expect(usageSchema.safeParse(valid).success).toBe(true);
    expect(usageSchema.safeParse({ ...valid, inputTokens: -1 }).success).toBe(false);
    expect(usageSchema.safeParse({ ...valid, totalTokens: 1.5 }).success).toBe(false);
    const { costUsd: _cost, ...withoutCost } = valid;
    expect(usageSchema.safeParse(withoutCost).success).toBe(false);
  });
});
