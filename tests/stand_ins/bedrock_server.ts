/**
 * A stand-in for the Amazon Bedrock runtime's Anthropic models: `InvokeModel`
 * (`POST /model/{modelId}/invoke`), `InvokeModelWithResponseStream`
 * (`POST /model/{modelId}/invoke-with-response-stream`, AWS event-stream framing encoded by
 * `@smithy/eventstream-codec`) and `CountTokens` (`POST /model/{modelId}/count-tokens`, the
 * `InvokeModel` body base64-encoded in `{"input": {"invokeModel": {"body": …}}}`, answered
 * `{"inputTokens": N}`; foundation model ids only). Every request's SigV4 signature is verified
 * (`sigv4_verifier.ts`); the body is checked as Bedrock checks it (`anthropic_version` required, no
 * `model` or `stream`); the turn itself comes from the Anthropic stand-in. A model id that is not one
 * gets 400 ValidationException "The provided model identifier is invalid."; a retired one 404
 * ResourceNotFoundException "This model version has reached the end of its life.". Errors carry
 * Bedrock's `x-amzn-ErrorType` and `{"message": …}` body. Sources: Amazon Bedrock API reference
 * (InvokeModel, InvokeModelWithResponseStream, CountTokens, common errors), the user guide's
 * Anthropic Claude Messages API and "Count tokens" pages, and what Bedrock answers for a model past
 * its end of life.
 */
import { randomUUID } from "node:crypto";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import type { AnthropicStandIn } from "./anthropic_server.ts";
import type { AwsIdentities } from "./aws_identities.ts";
import { streamEvents, type WireMessage } from "./message_stream.ts";
import { askUpstream, upstreamError } from "./messages_upstream.ts";
import { verifySigV4 } from "./sigv4_verifier.ts";

/** Options for {@link startBedrockStandIn}. */
export interface BedrockStandInOptions {
  /** The Anthropic stand-in that plays the turns. */
  upstream: Pick<AnthropicStandIn, "url" | "apiKey">;
  identities: AwsIdentities;
  /** The Region this endpoint serves, e.g. `us-east-1`. */
  region: string;
  /** Added to the stand-in's clock, to play a host whose clock is off. Default 0. */
  clockSkewMs?: number;
  /**
   * Model ids past their end of life (foundation ids; a profile on one is retired too). Default none.
   * The Anthropic stand-in's `models` says which ids exist at all.
   */
  retired?: string[];
}

/** One accepted request. */
export interface BedrockCall {
  operation: "InvokeModel" | "InvokeModelWithResponseStream" | "CountTokens";
  modelId: string;
  /** The principal that signed it. */
  arn: string;
  /** The `InvokeModel` body (for `CountTokens`, the one it counts). */
  body: Record<string, unknown>;
  /** The request's headers, names lower-cased. */
  headers: Record<string, string>;
}

/** A running stand-in. */
export interface BedrockStandIn {
  /** `ANTHROPIC_BEDROCK_BASE_URL`. */
  url: string;
  calls: BedrockCall[];
  /** Every refused request's `x-amzn-ErrorType`, in order. */
  refusals: string[];
  close(): Promise<void>;
}

/** Model ids and cross-region inference profiles (`us.anthropic…`, `global.anthropic…`) of Anthropic models. */
const MODEL_ID = /^(?:(?:us|us-gov|eu|apac|jp|au|ca|global)\.)?anthropic\.claude-[a-z0-9.-]+(?::\d+)?$/;
/**
 * `anthropic_version` in the body: Bedrock's own `bedrock-2023-05-31`, or an Anthropic API version
 * (what `@anthropic-ai/bedrock-sdk` 1.x copies from its `anthropic-version` header).
 */
const ANTHROPIC_VERSION = /^(?:bedrock-2023-05-31|\d{4}-\d{2}-\d{2})$/;
const ROUTE = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|count-tokens)$/;
const OPERATIONS = {
  "invoke": "InvokeModel",
  "invoke-with-response-stream": "InvokeModelWithResponseStream",
  "count-tokens": "CountTokens",
} as const;
/** A cross-region inference profile's geography prefix. */
const PROFILE_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\./;
const INVALID_MODEL = "The provided model identifier is invalid.";
const END_OF_LIFE = "This model version has reached the end of its life. Please refer to the AWS " +
  "documentation for more details.";
const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

function awsError(status: number, type: string, message: string): Response {
  return Response.json({ message }, {
    status,
    headers: {
      "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      "x-amzn-requestid": randomUUID(),
    },
  });
}

/** Bedrock's error for an answer the model (the Anthropic stand-in) gave with `status`. */
function bedrockErrorOf(status: number, message: string): Response {
  if (status === 429) {
    return awsError(429, "ThrottlingException", "Too many requests, please wait before trying again.");
  }
  if (status === 529 || status === 503) {
    return awsError(503, "ServiceUnavailableException", "Bedrock is unable to process your request.");
  }
  // The Anthropic stand-in's 404 is a model it does not serve: no such model id on Bedrock.
  if (status === 404) return awsError(400, "ValidationException", INVALID_MODEL);
  if (status >= 500) return awsError(500, "InternalServerException", message);
  return awsError(400, "ValidationException", message);
}

const MALFORMED = (detail: string) =>
  `Malformed input request: #: ${detail}, please reformat your input and try again.`;

/** The chunk frames of a streamed response; the last carries Bedrock's invocation metrics. */
function eventStream(message: WireMessage): Uint8Array[] {
  const events = streamEvents(message);
  const last = events.at(-1)!;
  last["amazon-bedrock-invocationMetrics"] = {
    inputTokenCount: message.usage.input_tokens,
    outputTokenCount: message.usage.output_tokens,
    invocationLatency: 1,
    firstByteLatency: 1,
  };
  return events.map((event) =>
    codec.encode({
      headers: {
        ":event-type": { type: "string", value: "chunk" },
        ":content-type": { type: "string", value: "application/json" },
        ":message-type": { type: "string", value: "event" },
      },
      body: new TextEncoder().encode(
        JSON.stringify({ bytes: Buffer.from(JSON.stringify(event)).toString("base64"), p: "abcdefghijkl" }),
      ),
    })
  );
}

/** An `InvokeModel` body, parsed and checked as Bedrock checks it; or Bedrock's 400. */
function invokeBody(raw: Uint8Array): Record<string, unknown> | Response {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return awsError(400, "ValidationException", MALFORMED("expected type: JSONObject"));
  }
  if (typeof body.anthropic_version !== "string" || !ANTHROPIC_VERSION.test(body.anthropic_version)) {
    return awsError(400, "ValidationException", MALFORMED("required key [anthropic_version] not found"));
  }
  for (const key of ["model", "stream"]) {
    if (key in body) {
      return awsError(400, "ValidationException", MALFORMED(`extraneous key [${key}] is not permitted`));
    }
  }
  return body;
}

/** The `InvokeModel` body a `CountTokens` request counts; or Bedrock's 400. */
function countedBody(modelId: string, raw: Uint8Array): Record<string, unknown> | Response {
  if (PROFILE_PREFIX.test(modelId)) {
    return awsError(400, "ValidationException", "The provided model doesn't support counting tokens.");
  }
  let encoded: unknown;
  try {
    encoded = JSON.parse(new TextDecoder().decode(raw))?.input?.invokeModel?.body;
  } catch {
    encoded = undefined;
  }
  if (typeof encoded !== "string") {
    return awsError(
      400,
      "ValidationException",
      "1 validation error detected: Value null at 'input' failed " +
        "to satisfy constraint: Member must not be null",
    );
  }
  return invokeBody(Buffer.from(encoded, "base64"));
}

/** Starts the stand-in on 127.0.0.1 at an ephemeral port. */
export function startBedrockStandIn(options: BedrockStandInOptions): BedrockStandIn {
  const calls: BedrockCall[] = [];
  const refusals: string[] = [];

  async function handle(request: Request): Promise<Response> {
    const raw = new Uint8Array(await request.arrayBuffer());
    const route = ROUTE.exec(new URL(request.url).pathname);
    if (request.method !== "POST" || !route) {
      return awsError(404, "UnknownOperationException", "Unknown operation");
    }
    const signer = await verifySigV4(request, raw, {
      identities: options.identities,
      service: "bedrock",
      region: options.region,
      now: Date.now() + (options.clockSkewMs ?? 0),
    });
    if ("status" in signer) return awsError(signer.status, signer.type, signer.message);
    const modelId = decodeURIComponent(route[1]!);
    const operation = OPERATIONS[route[2] as keyof typeof OPERATIONS];
    if (!MODEL_ID.test(modelId)) return awsError(400, "ValidationException", INVALID_MODEL);
    if (options.retired?.includes(modelId.replace(PROFILE_PREFIX, ""))) {
      return awsError(404, "ResourceNotFoundException", END_OF_LIFE);
    }
    const parsed = operation === "CountTokens" ? countedBody(modelId, raw) : invokeBody(raw);
    if (parsed instanceof Response) return parsed;
    const body = parsed;
    calls.push({ operation, modelId, arn: signer.arn, body, headers: Object.fromEntries(request.headers) });
    const { anthropic_version: _version, ...messagesRequest } = body;
    if (operation === "CountTokens") {
      const { max_tokens: _max, ...countRequest } = messagesRequest;
      const counted = await askUpstream(
        options.upstream,
        { ...countRequest, model: modelId },
        "/v1/messages/count_tokens",
      );
      if (counted.status !== 200) return bedrockErrorOf(counted.status, upstreamError(counted.body).message);
      return Response.json({ inputTokens: counted.body.input_tokens }, {
        headers: { "x-amzn-requestid": randomUUID() },
      });
    }
    const answer = await askUpstream(options.upstream, { ...messagesRequest, model: modelId });
    if (answer.status !== 200) return bedrockErrorOf(answer.status, upstreamError(answer.body).message);
    const message = answer.body as unknown as WireMessage;
    const common = { "x-amzn-requestid": randomUUID() };
    if (operation === "InvokeModel") {
      return Response.json(message, {
        headers: {
          ...common,
          "x-amzn-bedrock-input-token-count": String(message.usage.input_tokens),
          "x-amzn-bedrock-output-token-count": String(message.usage.output_tokens),
          "x-amzn-bedrock-invocation-latency": "1",
        },
      });
    }
    return new Response(Buffer.concat(eventStream(message)), {
      headers: {
        ...common,
        "content-type": "application/vnd.amazon.eventstream",
        "x-amzn-bedrock-content-type": "application/json",
      },
    });
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const response = await handle(request);
    const type = response.headers.get("x-amzn-errortype");
    if (type) refusals.push(type.split(":")[0]!);
    return response;
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    calls,
    refusals,
    close: () => closing ??= server.shutdown(),
  };
}
