import { expect, test } from "vitest";
import type { Job } from "../../src/contracts/job.ts";
import { NO_USAGE } from "../../src/contracts/usage.ts";
import { onTopOfEarlierAttempts } from "../../src/pipeline/earlier_attempts.ts";

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
