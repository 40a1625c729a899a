/**
 * What one Messages API response's usage costs at a model's list prices, cache writes priced by their
 * TTL (Anthropic's pricing page: 5-minute writes at `cacheWrite`, 1.25× input; 1-hour writes at 2×
 * input; reads at `cacheRead`).
 *
 * @module
 */
import type { ResponseUsage } from "../contracts/usage.ts";
import type { ModelPrice } from "./model_prices.ts";

/** Dollars of `tokens` at `perMillion` dollars per million. */
export function usd(tokens: number, perMillion: number): number {
  return tokens * perMillion / 1_000_000;
}

/**
 * A response's cache tokens: writes (split by TTL when `cache_creation` says; all 5-minute when it
 * does not) and reads. Absent or `null` counts are 0.
 */
export function cacheTokens(usage: ResponseUsage) {
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const ephemeral1h = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return {
    cacheWrite,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    ephemeral5m: Math.max(0, cacheWrite - ephemeral1h),
    ephemeral1h,
  };
}

/** Dollars of one response's `usage` at `rate`. */
export function costOf(usage: ResponseUsage, rate: ModelPrice): number {
  const { cacheRead, ephemeral5m, ephemeral1h } = cacheTokens(usage);
  return usd(usage.input_tokens, rate.input) + usd(usage.output_tokens, rate.output) +
    usd(ephemeral5m, rate.cacheWrite) + usd(ephemeral1h, rate.input * 2) + usd(cacheRead, rate.cacheRead);
}
