/**
 * Whether the provider serves the configured model, asked before a job does any work: a free
 * count-tokens call on a one-word prompt (the Anthropic API's `POST /v1/messages/count_tokens`, or a
 * gateway's; Vertex AI's `count-tokens:rawPredict`; Bedrock's `CountTokens`). An unknown or retired
 * model id gets the provider's not-found answer there as it would on the first model call
 * (`model_failure.ts`), so a job with such an id fails before it builds an environment or a
 * sandbox.
 *
 * @module
 */
import { boundedCall, type MessagesApi } from "./model_call.ts";

/** The setting that names the model, which a person changes when the model is not served. */
const MODEL_SETTING = "MODEL";

/** `reason` (why the model is not served) followed by the fix: the setting to change. */
export function notServedFix(reason: string): string {
  return `${reason}; set ${MODEL_SETTING} to a model id the API serves`;
}

/**
 * What the provider said about a model id: `served`; `not_found` (unknown or retired, with the
 * reason naming the id and {@link MODEL_SETTING}); or `undecided` (the check could not tell: no
 * count-tokens endpoint, a model it cannot count, credentials refused, rate limited, unreachable,
 * cancelled), when the job goes on and its first model call decides.
 */
export type ModelAnswer =
  | { verdict: "served" }
  | { verdict: "not_found"; reason: string }
  | { verdict: "undecided"; reason: string };

/** Asks whether `model` is served; answers are kept for the process (see {@link createModelCheck}). */
export type ModelCheck = (model: string, signal?: AbortSignal) => Promise<ModelAnswer>;

/** How long the check may take before it counts as undecided, in milliseconds. */
const MODEL_CHECK_TIMEOUT_MS = 30_000;

/**
 * A model check on `messages`' count-tokens endpoint. A `served` or `not_found` answer is kept for
 * the process (a model id is not retired while a job runs; a restart asks again); an undecided one
 * is asked again by the next job.
 */
export function createModelCheck(messages: MessagesApi, now: () => number = Date.now): ModelCheck {
  const known = new Map<string, ModelAnswer>();
  return async (model, signal) => {
    const kept = known.get(model);
    if (kept) return kept;
    const answer = await ask(messages, model, signal, now);
    if (answer.verdict !== "undecided") known.set(model, answer);
    return answer;
  };
}

async function ask(
  messages: MessagesApi,
  model: string,
  signal: AbortSignal | undefined,
  now: () => number,
): Promise<ModelAnswer> {
  const count = messages.countTokens;
  if (count === undefined) {
    return { verdict: "undecided", reason: "the provider has no count-tokens endpoint" };
  }
  const params = { model, messages: [{ role: "user" as const, content: "ping" }] };
  const bounds = { model, timeoutMs: MODEL_CHECK_TIMEOUT_MS, cancel: signal, now };
  let counted: Awaited<ReturnType<typeof boundedCall<{ input_tokens: number }>>>;
  try {
    counted = await boundedCall(bounds, async (callSignal) => ({
      ...await count.call(messages, params, { signal: callSignal }),
    }));
  } catch (error) {
    return { verdict: "undecided", reason: `the check failed: ${(error as Error).message}` };
  }
  if ("input_tokens" in counted) return { verdict: "served" };
  if (counted.kind === "stop" && counted.stop.status === "model_not_found") {
    return {
      verdict: "not_found",
      reason: notServedFix(counted.stop.reason),
    };
  }
  const reason = counted.kind === "stop" ? counted.stop.reason : counted.detail;
  return { verdict: "undecided", reason };
}
