/**
 * One Messages API call of the loop, bounded by the wall clock left and the
 * run's abort signal, with the failures that end a run described for people.
 *
 * @module
 */
import Anthropic from "@anthropic-ai/sdk";
import { CANCELLED, type Stop } from "./outcome.ts";

/** The Messages API the loop calls, normally `new Anthropic(...).messages`; its own retries apply. */
export type MessagesApi = Pick<Anthropic["messages"], "create">;

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Sends `params`, aborting the call after `timeoutMs` or when `cancel` aborts.
 *
 * @returns the response; or the stop a failure means: `cancelled` when `cancel` aborted, `timeout`
 *   when the time ran out, `model_error` (HTTP status, error type, message, request id) when an API
 *   error outlasted the SDK's retries.
 * @throws whatever else the call throws (not an SDK error: a bug).
 */
export async function callModel(
  api: MessagesApi,
  params: Anthropic.Messages.MessageCreateParamsNonStreaming,
  timeoutMs: number,
  cancel: AbortSignal | undefined,
): Promise<Anthropic.Messages.Message | Stop> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), Math.min(Math.max(timeoutMs, 1), MAX_TIMER_MS));
  const onCancel = () => abort.abort();
  cancel?.addEventListener("abort", onCancel);
  try {
    return await api.create(params, { signal: abort.signal });
  } catch (error) {
    return describeModelFailure(error, cancel);
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener("abort", onCancel);
  }
}

function describeModelFailure(error: unknown, signal: AbortSignal | undefined): Stop {
  if (signal?.aborted) return CANCELLED;
  if (error instanceof Anthropic.APIUserAbortError) {
    return { status: "timeout", reason: "Wall-clock budget ran out while waiting for the model" };
  }
  if (error instanceof Anthropic.APIError) {
    const parts = [
      "Model call failed",
      error.status ? ` with HTTP ${error.status}` : "",
      error.type ? ` (${error.type})` : "",
      `: ${error.apiMessage ?? error.message}`,
      error.requestID ? ` [request-id ${error.requestID}]` : "",
    ];
    return { status: "model_error", reason: parts.join("") };
  }
  if (error instanceof Anthropic.AnthropicError) {
    return { status: "model_error", reason: `Model call failed: ${error.message}` };
  }
  throw error;
}
