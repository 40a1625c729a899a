/**
 * A stand-in for Anthropic models on Vertex AI: `rawPredict` and `streamRawPredict`
 * (`POST /v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:…`), and token
 * counting (`…/models/count-tokens:rawPredict`, the model named in the body). Every
 * request needs a bearer token the Google auth stand-in issued and that has not expired (else 401
 * `UNAUTHENTICATED`, as Google answers), on this stand-in's project (else 403 `PERMISSION_DENIED`);
 * the body must carry `anthropic_version` and no `model`. The turn comes from the Anthropic stand-in;
 * a streamed one is sent as the Messages API's server-sent events. A model the Anthropic stand-in
 * does not serve (unknown, or retired from Model Garden) gets Vertex's 404 `NOT_FOUND` "Publisher
 * Model `…` not found." on each method, token counting included. Sources: Vertex AI "Use Claude
 * models" (request format, endpoints) and Google Cloud's API error model (`google.rpc.Status`).
 */
import type { AnthropicStandIn } from "./anthropic_server.ts";
import type { GoogleTokens } from "./google_auth_server.ts";
import { streamEvents, type WireMessage } from "./message_stream.ts";
import { askUpstream } from "./messages_upstream.ts";

/** Options for {@link startVertexStandIn}. */
export interface VertexStandInOptions {
  upstream: Pick<AnthropicStandIn, "url" | "apiKey">;
  tokens: GoogleTokens;
  projectId: string;
  region: string;
}

/** One accepted request. */
export interface VertexCall {
  method: "rawPredict" | "streamRawPredict" | "countTokens";
  model: string;
  principal: string;
  body: Record<string, unknown>;
}

/** A running stand-in. */
export interface VertexStandIn {
  /** `ANTHROPIC_VERTEX_BASE_URL` (ends in `/v1`). */
  url: string;
  calls: VertexCall[];
  /** Every refused request's `google.rpc.Status` code name, in order. */
  refusals: string[];
  close(): Promise<void>;
}

const ROUTE =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;
const MODEL = /^claude-[a-z0-9.-]+(?:@\d{8})?$/;
/** Vertex's `vertex-2023-10-16`, or an Anthropic API version (what `@anthropic-ai/vertex-sdk` 1.x sends). */
const ANTHROPIC_VERSION = /^(?:vertex-2023-10-16|\d{4}-\d{2}-\d{2})$/;
const SEE = "See https://developers.google.com/identity/sign-in/web/devconsole-project.";

function googleError(code: number, status: string, message: string, reason?: string): Response {
  const details = reason
    ? [{
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason,
      domain: "googleapis.com",
      metadata: {
        service: "aiplatform.googleapis.com",
        method: "google.cloud.aiplatform.v1.PredictionService.RawPredict",
      },
    }]
    : undefined;
  return Response.json({ error: { code, message, status, ...(details ? { details } : {}) } }, {
    status: code,
    headers: code === 401 ? { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' } : {},
  });
}

/** Starts the stand-in on 127.0.0.1 at an ephemeral port. */
export function startVertexStandIn(options: VertexStandInOptions): VertexStandIn {
  const calls: VertexCall[] = [];
  const refusals: string[] = [];

  async function handle(request: Request): Promise<Response> {
    const text = await request.text();
    const route = ROUTE.exec(new URL(request.url).pathname);
    if (request.method !== "POST" || !route) {
      return googleError(404, "NOT_FOUND", "The requested URL was not found.");
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!bearer) {
      return googleError(
        401,
        "UNAUTHENTICATED",
        `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE}`,
        "CREDENTIALS_MISSING",
      );
    }
    const holder = options.tokens.check(bearer);
    if (typeof holder === "string") {
      return googleError(
        401,
        "UNAUTHENTICATED",
        `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${SEE}`,
        holder === "expired" ? "ACCESS_TOKEN_EXPIRED" : undefined,
      );
    }
    const [, project, region, encodedModel, method] = route;
    const counting = encodedModel === "count-tokens" && method === "rawPredict";
    const model = decodeURIComponent(encodedModel!);
    const resourceOf = (id: string) =>
      `projects/${project}/locations/${region}/publishers/anthropic/models/${id}`;
    const resource = resourceOf(model);
    const notFound = (id: string) =>
      googleError(404, "NOT_FOUND", `Publisher Model \`${resourceOf(id)}\` not found.`);
    if (project !== options.projectId || region !== options.region) {
      return googleError(
        403,
        "PERMISSION_DENIED",
        `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
        "IAM_PERMISSION_DENIED",
      );
    }
    if (!counting && !MODEL.test(model)) return notFound(model);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }
    const invalid = (message: string) =>
      Response.json({ type: "error", error: { type: "invalid_request_error", message } }, { status: 400 });
    if (typeof body.anthropic_version !== "string" || !ANTHROPIC_VERSION.test(body.anthropic_version)) {
      return invalid("anthropic_version: Input should be 'vertex-2023-10-16'");
    }
    if (counting) {
      if (typeof body.model !== "string" || !MODEL.test(body.model)) return invalid("model: Field required");
      calls.push({ method: "countTokens", model: body.model, principal: holder.principal, body });
      const { anthropic_version: _version, ...countRequest } = body;
      const counted = await askUpstream(options.upstream, countRequest, "/v1/messages/count_tokens");
      if (counted.status === 404) return notFound(body.model);
      return Response.json(counted.body, { status: counted.status });
    }
    if ("model" in body) return invalid("model: Extra inputs are not permitted");
    const streaming = method === "streamRawPredict";
    if (Boolean(body.stream) !== streaming) return invalid(`stream: must be ${streaming} for ${method}`);
    calls.push({ method: method as VertexCall["method"], model, principal: holder.principal, body });
    const { anthropic_version: _v, stream: _s, ...messagesRequest } = body;
    const answer = await askUpstream(options.upstream, { ...messagesRequest, model });
    if (answer.status === 404) return notFound(model);
    if (answer.status !== 200 || !streaming) return Response.json(answer.body, { status: answer.status });
    const sse = streamEvents(answer.body as unknown as WireMessage)
      .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");
    return new Response(sse, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const response = await handle(request);
    if (response.status === 401 || response.status === 403) {
      const body = await response.clone().json() as { error?: { status?: string } };
      refusals.push(String(body.error?.status));
    }
    return response;
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    calls,
    refusals,
    close: () => closing ??= server.shutdown(),
  };
}
