/**
 * Model-call failures that need a person: an authentication or permission error from the provider
 * (or a gateway) gets the fix appended to its message, and no secret the client holds survives in it
 * (a gateway may echo the header it refused). The SDK's error classes are kept, so the loop reports
 * them as it reports any other API error.
 *
 * @module
 */
import Anthropic from "@anthropic-ai/sdk";
import type { MessagesApi } from "./model_call.ts";
import type { ModelProvider } from "./model_prices.ts";
import { AWS_CREDENTIALS_FIX, GOOGLE_CREDENTIALS_FIX } from "./cloud_credentials.ts";

/** What to change when `provider` answered `status` with `message`. */
export function credentialFix(provider: ModelProvider, status: number, message: string): string {
  if (provider === "anthropic") {
    return status === 401
      ? "Fix: check ANTHROPIC_API_KEY; a gateway at ANTHROPIC_BASE_URL may want its own header in " +
        "ANTHROPIC_CUSTOM_HEADERS."
      : "Fix: check that ANTHROPIC_API_KEY (or the gateway's ANTHROPIC_CUSTOM_HEADERS) may use MODEL.";
  }
  if (provider === "bedrock") {
    if (/signature expired|signature not yet current/i.test(message)) {
      return "Fix: the host's clock is off and AWS rejects SigV4 signatures more than 5 minutes away from " +
        "its time: synchronise the clock (NTP).";
    }
    if (/not authorized|access denied|don't have access/i.test(message)) {
      return "Fix: allow bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream and bedrock:CountTokens on MODEL (and " +
        "the inference profile's models) to the service's IAM role, and enable the model in AWS_REGION.";
    }
    return `Fix: the AWS credentials were refused. ${AWS_CREDENTIALS_FIX}.`;
  }
  return status === 403
    ? "Fix: grant the service account roles/aiplatform.user on ANTHROPIC_VERTEX_PROJECT_ID and enable " +
      "MODEL in Vertex AI Model Garden for CLOUD_ML_REGION."
    : `Fix: the Google credentials were refused. ${GOOGLE_CREDENTIALS_FIX}.`;
}

/** `text` with every secret of `secrets` (longer than 3 characters) replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 3) out = out.split(secret).join("[redacted]");
  return out;
}

function bodyMessage(error: InstanceType<typeof Anthropic.APIError>): string {
  if (error.apiMessage) return error.apiMessage;
  const body = error.error as
    | { message?: unknown; Message?: unknown; error?: { message?: unknown } }
    | undefined;
  const own = body?.message ?? body?.Message ?? body?.error?.message;
  return typeof own === "string" ? own : error.message;
}

/** `error` with the fix added (401/403) and the secrets redacted; other errors unchanged. */
export function withFix(error: unknown, provider: ModelProvider, secrets: readonly string[]): unknown {
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    const status = error.status;
    const message = redactSecrets(bodyMessage(error), secrets);
    const needsFix = status === 401 || status === 403;
    if (!needsFix && message === bodyMessage(error)) return error;
    const type = error.type ?? (status === 401 ? "authentication_error" : "permission_error");
    const text = needsFix ? `${message} ${credentialFix(provider, status, message)}` : message;
    return Anthropic.APIError.generate(
      status,
      { type: "error", error: { type, message: text } },
      undefined,
      error.headers,
    );
  }
  if (error instanceof Anthropic.APIConnectionError && /credentials/i.test(error.message)) {
    const reason = redactSecrets((error.cause as Error | undefined)?.message ?? "", secrets).split("\n")[0];
    const fix = provider === "vertex" ? GOOGLE_CREDENTIALS_FIX : AWS_CREDENTIALS_FIX;
    return new Anthropic.APIConnectionError({ message: `${error.message} (${reason}) Fix: ${fix}.` });
  }
  return error;
}

/**
 * `messages` whose `create` and `countTokens` rethrow failures through {@link withFix}; its other
 * methods unchanged. `secrets` is read at each failure, so rotated credentials are redacted too.
 */
export function withCredentialFixes<T extends MessagesApi>(
  messages: T,
  provider: ModelProvider,
  secrets: () => readonly string[],
): T {
  const wrapped = Object.create(messages) as T;
  const fixed = <F>(method: F): F => {
    const call = (method as (...a: unknown[]) => PromiseLike<unknown>).bind(messages);
    return ((...args: unknown[]) =>
      Promise.resolve(call(...args)).catch((error: unknown) => {
        throw withFix(error, provider, secrets());
      })) as F;
  };
  wrapped.create = fixed(messages.create);
  if (messages.countTokens) wrapped.countTokens = fixed(messages.countTokens);
  return wrapped;
}
