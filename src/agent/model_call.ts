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
 * Counts a request's input tokens: the Anthropic API's `POST /v1/messages/count_tokens` (and its
 * Vertex AI twin), or Bedrock's `CountTokens` (`bedrock_count_tokens.ts`). Fails as the Anthropic
 * SDK fails.
 */
export type CountTokens = (
  params: Anthropic.Messages.MessageCountTokensParams,
  options?: { signal?: AbortSignal | null },
) => PromiseLike<Pick<Anthropic.Messages.MessageTokensCount, "input_tokens">>;

/**
 * The Messages API the loop calls, normally `new Anthropic(...).messages`; its own retries apply.
 * `countTokens` is optional: a provider without it leaves the budget to its estimate and the model
 * check undecided.
 */
export type MessagesApi = Pick<Anthropic["messages"], "create"> & { countTokens?: CountTokens };

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
  return boundedCall(bounds, (signal) => api.create(params, { signal }));
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
  // A model the endpoint cannot count (Bedrock counts foundation models only) fails here.
  const counted = await boundedCall(bounds, async (signal) => await count.call(api, params, { signal }))
    .catch(() => undefined);
  if (counted === undefined) return undefined;
  if (!("kind" in counted)) return counted.input_tokens;
  const status = counted.kind === "stop" ? counted.stop.status : undefined;
  return status === "cancelled" || status === "timeout" ? counted : undefined;
}

/**
 * Runs `call` with a signal that aborts after `bounds.timeoutMs` or when `bounds.cancel` aborts.
 *
 * @returns what `call` resolved to, or its failure classified (see {@link classifyModelFailure}).
 */
export async function boundedCall<T extends object>(
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
