/**
 * Model usage: what one Messages API response reports, and the running totals
 * of a run that the budget keeps and the loop reports.
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
  /** Tokens written to the prompt cache. */
  cacheCreationInputTokens: tokens,
  /** Tokens read from the prompt cache. */
  cacheReadInputTokens: tokens,
  /** Sum of the four token counts. */
  totalTokens: tokens,
  costUsd: z.number().nonnegative(),
});

/** Token and dollar totals of a run so far; see {@link usageSchema}. */
export type Usage = z.infer<typeof usageSchema>;

/** The `usage` fields of a Messages API response that the budget reads (the SDK's type; cache fields may be absent). */
export type ResponseUsage =
  & Pick<Anthropic.Messages.Usage, "input_tokens" | "output_tokens">
  & Partial<Pick<Anthropic.Messages.Usage, "cache_creation_input_tokens" | "cache_read_input_tokens">>;
