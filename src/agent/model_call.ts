/**
 * One Messages API call of the loop, bounded by the wall clock left and the run's abort signal, with
 * its failure classified (see {@link classifyModelFailure}); and the count-tokens call the budget
 * uses near its caps.
 *
 * @module
 */
import type Anthropic from "@anthropic-ai/sdk";
import { classifyModelFailure, type ModelFailure } from "./model_failure.ts";

/**
 * The Messages API the loop calls, normally `new Anthropic(...).messages`; its own retries apply.
 * `countTokens` (`POST /v1/messages/count_tokens`) is optional: a provider without it leaves the
 * budget to its estimate.
 */
export type MessagesApi =
  & Pick<Anthropic["messages"], "create">
  & Partial<Pick<Anthropic["messages"], "countTokens">>;

const MAX_TIMER_MS = 2 ** 31 - 1;

/** What bounds one call. */
export interface CallBounds {
  model: string;
  /** Milliseconds before the call is aborted (the wall clock left). */
  timeoutMs: number;
  /** The run's abort signal. */
  cancel: AbortSignal | undefined;
  /** Milliseconds since the epoch, for rate-limit reset times. */
  now: () => number;
}

/**
 * Sends `params`, aborting the call after `timeoutMs` or when `cancel` aborts.
 *
 * @returns the response, or the classified failure (see {@link classifyModelFailure}).
 * @throws whatever else the call throws (not an SDK error: a bug).
 */
export function callModel(
  api: MessagesApi,
  params: Anthropic.Messages.MessageCreateParamsNonStreaming,
  bounds: CallBounds,
): Promise<Anthropic.Messages.Message | ModelFailure> {
  return bounded(bounds, (signal) => api.create(params, { signal }));
}

/**
 * Counts the input tokens of `params` with the count-tokens endpoint (free, rate-limited apart).
 *
 * @returns the count; or `undefined` when the API has no such endpoint or the call failed in any
 *   way (the caller falls back to its estimate), or the stop when the run was cancelled or ran out
 *   of time.
 */
export async function countInputTokens(
  api: MessagesApi,
  params: Anthropic.Messages.MessageCountTokensParams,
  bounds: CallBounds,
): Promise<number | undefined | ModelFailure> {
  const count = api.countTokens;
  if (count === undefined) return undefined;
  // A provider whose SDK keeps the method but not the endpoint (Bedrock's) fails here in its own way.
  const counted = await bounded(bounds, (signal) => count.call(api, params, { signal })).catch(() =>
    undefined
  );
  if (counted === undefined) return undefined;
  if (!("kind" in counted)) return counted.input_tokens;
  const status = counted.kind === "stop" ? counted.stop.status : undefined;
  return status === "cancelled" || status === "timeout" ? counted : undefined;
}

async function bounded<T extends object>(
  bounds: CallBounds,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T | ModelFailure> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.min(Math.max(bounds.timeoutMs, 1), MAX_TIMER_MS));
  const onCancel = () => abort.abort();
  bounds.cancel?.addEventListener("abort", onCancel);
  try {
    return await call(abort.signal);
  } catch (error) {
    return classifyModelFailure(error, { model: bounds.model, cancel: bounds.cancel, now: bounds.now() });
  } finally {
    clearTimeout(timer);
    bounds.cancel?.removeEventListener("abort", onCancel);
  }
}
