/**
 * Model usage, one contract wherever it travels: what one Messages API
 * response reports, the running totals of a run that the agent's budget keeps
 * and the loop reports (`agent/`), and the totals the job record keeps per
 * work item and per job (`jobs/`, the API's `Usage`, the `usage` event).
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";

const tokens = z.number().int().nonnegative();

/**
 * Token and dollar totals of a run so far: the contract for usage wherever it
 * travels (progress events, outcomes, job records). Token counts are whole
 * tokens; `costUsd` is in US dollars at the budget's list prices.
 */
export const usageSchema = z.object({
  inputTokens: tokens,
  outputTokens: tokens,
  /** Tokens written to the prompt cache (both TTLs). */
  cacheCreationInputTokens: tokens,
  /** Tokens read from the prompt cache. */
  cacheReadInputTokens: tokens,
  /** Of the cache writes, those to 5-minute entries (`cache_creation.ephemeral_5m_input_tokens`). */
  ephemeral5mInputTokens: tokens,
  /** Of the cache writes, those to 1-hour entries (`cache_creation.ephemeral_1h_input_tokens`), priced at 2× input. */
  ephemeral1hInputTokens: tokens,
  /** Sum of the four token counts. */
  totalTokens: tokens.describe("Every token, cache reads and writes included."),
  costUsd: z.number().nonnegative().describe("Dollars at list prices."),
});

/** Token and dollar totals of a run so far; see {@link usageSchema}. */
export type Usage = z.infer<typeof usageSchema>;

/**
 * The `usage` fields of a Messages API response that the budget reads (the SDK's type; cache fields
 * may be absent, and `cache_creation` splits the cache writes by TTL where the API reports it).
 */
export type ResponseUsage =
  & Pick<Anthropic.Messages.Usage, "input_tokens" | "output_tokens">
  & Partial<
    Pick<
      Anthropic.Messages.Usage,
      "cache_creation_input_tokens" | "cache_read_input_tokens" | "cache_creation"
    >
  >;

/**
 * One model call's figures: what the budget projected before it (its worst case: the input, counted
 * with the count-tokens endpoint near a cap or estimated otherwise, plus `max_tokens` of output) and
 * what the response reported. Input tokens include cache reads and writes.
 */
export const callUsageSchema = z.object({
  projected: z.object({
    inputTokens: tokens,
    outputTokens: tokens.describe("The call's `max_tokens`."),
    costUsd: z.number().nonnegative().describe("Dollars at list prices, input priced as cache writes."),
    by: z.enum(["estimate", "count_tokens"]).describe(
      "`count_tokens`: the input was counted by the API because the estimate was near a cap.",
    ),
  }),
  actual: z.object({
    inputTokens: tokens,
    outputTokens: tokens,
    costUsd: z.number().nonnegative(),
  }),
});

/** One model call's projected and actual figures; see {@link callUsageSchema}. */
export type CallUsage = z.infer<typeof callUsageSchema>;

/**
 * Usage as the job record keeps it, per work item and summed per job: the run's
 * token and dollar totals (cache tokens counted in `totalTokens`), the cache
 * writes split by TTL (priced apart: 1-hour writes at 2× input; the stores
 * always report them, events from before they were kept lack them), and the
 * model calls made.
 */
export const recordedUsageSchema = usageSchema.pick({
  inputTokens: true,
  outputTokens: true,
  totalTokens: true,
  costUsd: true,
}).extend({
  ephemeral5mInputTokens: tokens.optional().describe(
    "Cache writes to 5-minute entries (`cache_creation.ephemeral_5m_input_tokens`), in `totalTokens`.",
  ),
  ephemeral1hInputTokens: tokens.optional().describe(
    "Cache writes to 1-hour entries (`cache_creation.ephemeral_1h_input_tokens`), priced at 2× input.",
  ),
  turns: tokens.describe("Model calls made."),
});

/** Usage as the job record keeps it; see {@link recordedUsageSchema}. */
export type RecordedUsage = z.infer<typeof recordedUsageSchema>;

/** Recorded usage of nothing yet. */
export const NO_USAGE: RecordedUsage = {
  inputTokens: 0,
  outputTokens: 0,
  ephemeral5mInputTokens: 0,
  ephemeral1hInputTokens: 0,
  totalTokens: 0,
  costUsd: 0,
  turns: 0,
};

/** The record of a run's `totals` after `turns` model calls. */
export function recordedUsage(totals: Usage, turns: number): RecordedUsage {
  const { inputTokens, outputTokens, ephemeral5mInputTokens, ephemeral1hInputTokens, totalTokens, costUsd } =
    totals;
  return {
    inputTokens,
    outputTokens,
    ephemeral5mInputTokens,
    ephemeral1hInputTokens,
    totalTokens,
    costUsd,
    turns,
  };
}
