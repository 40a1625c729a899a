/**
 * Counting input tokens on Amazon Bedrock: the Bedrock Runtime `CountTokens` operation
 * (`POST /model/{modelId}/count-tokens`, free) through `@aws-sdk/client-bedrock-runtime`, which
 * `@anthropic-ai/bedrock-sdk` leaves out of its `messages`. The request is the `InvokeModel` body the
 * Bedrock SDK would send; the answer and the failures are shaped as the Anthropic SDK's, so the
 * budget and the model check read them as they read the Anthropic API's.
 *
 * Source: Amazon Bedrock API reference, CountTokens; user guide, "Count tokens before running
 * inference" (token counting takes a foundation model id, not a cross-region inference profile).
 *
 * @module
 */
import Anthropic from "@anthropic-ai/sdk";
import type { CountTokens } from "./model_call.ts";

/** What the Bedrock Runtime client needs; the credentials are the Bedrock client's own provider. */
export interface BedrockCountOptions {
  /** `AWS_REGION`. */
  region: string;
  /** The Bedrock Runtime endpoint (`ANTHROPIC_BEDROCK_BASE_URL` or the Region's). */
  endpoint: string;
  /** The AWS credential provider the Bedrock client signs with. */
  credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  /** Retries of a throttled or failed call (`ANTHROPIC_MAX_RETRIES`). */
  maxRetries: number;
  /** `ANTHROPIC_CUSTOM_HEADERS`, sent (and signed) with every request, as the Bedrock client sends them. */
  headers: Readonly<Record<string, string>>;
}

/** The `InvokeModel` body's version for Anthropic models on Bedrock. */
const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";
/** A cross-region inference profile's geography prefix (`us.anthropic.…`, `global.anthropic.…`). */
const PROFILE_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\.(?=anthropic\.)/;

/**
 * The foundation model a model id or cross-region inference profile runs, which `CountTokens`
 * takes: `us.anthropic.claude-…` → `anthropic.claude-…`; anything else unchanged.
 */
function foundationModelId(modelId: string): string {
  return modelId.replace(PROFILE_PREFIX, "");
}

/**
 * A `countTokens` for the Bedrock Runtime, with the signature the loop calls. The client is made
 * once, on first use.
 *
 * Failures are Anthropic SDK errors: the service's answer as `APIError` (status, and Bedrock's
 * `message` as the body's), an abort as `APIUserAbortError`, anything else as `APIConnectionError`.
 */
export function bedrockCountTokens(options: BedrockCountOptions): CountTokens {
  let client: Promise<{ send: (params: Record<string, unknown>, signal?: AbortSignal) => Promise<number> }>;
  const open = async () => {
    const { BedrockRuntimeClient, CountTokensCommand } = await import("@aws-sdk/client-bedrock-runtime");
    const { NodeHttpHandler } = await import("@smithy/node-http-handler");
    const runtime = new BedrockRuntimeClient({
      region: options.region,
      endpoint: options.endpoint,
      credentials: options.credentials,
      maxAttempts: options.maxRetries + 1,
      // HTTP/1.1, as InvokeModel goes: the client's default HTTP/2 handler is for the bidirectional
      // stream, which the loop does not use.
      requestHandler: new NodeHttpHandler(),
    });
    // Added before the signing step, so the signature covers them.
    runtime.middlewareStack.add((next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) Object.assign(request.headers, options.headers);
      return next(args);
    }, { step: "build", name: "customHeaders" });
    return {
      send: async (params: Record<string, unknown>, signal?: AbortSignal) => {
        const { model, ...request } = params;
        const body = { anthropic_version: BEDROCK_ANTHROPIC_VERSION, max_tokens: 1, ...request };
        const command = new CountTokensCommand({
          modelId: foundationModelId(String(model)),
          input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify(body)) } },
        });
        const answer = await runtime.send(command, signal ? { abortSignal: signal } : {});
        return answer.inputTokens ?? 0;
      },
    };
  };
  return async (params, requestOptions) => {
    client ??= open();
    const signal = requestOptions?.signal ?? undefined;
    try {
      const inputTokens = await (await client).send({ ...params }, signal);
      return { input_tokens: inputTokens };
    } catch (error) {
      throw asAnthropicError(error, signal);
    }
  };
}

/** An AWS SDK failure as the Anthropic SDK would have thrown it. */
function asAnthropicError(error: unknown, signal: AbortSignal | undefined): Error {
  const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (signal?.aborted || failure?.name === "AbortError") return new Anthropic.APIUserAbortError();
  const status = failure?.$metadata?.httpStatusCode;
  const message = failure?.message ?? String(error);
  if (status !== undefined) {
    return Anthropic.APIError.generate(
      status,
      { message },
      message,
      new Headers({ "x-amzn-errortype": failure.name ?? "" }),
    );
  }
  return new Anthropic.APIConnectionError({ message: `Bedrock CountTokens failed: ${message}` });
}
