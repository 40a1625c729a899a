/**
 * The Anthropic stand-in as the model behind the Bedrock and Vertex stand-ins: they check their
 * provider's wire format and credentials, then ask it for the turn, so every scripted scenario (and
 * every hard case it plays) runs unchanged on all three providers.
 */
import type { AnthropicStandIn } from "./anthropic_server.ts";

/** The Anthropic stand-in's answer to one request. */
export interface UpstreamAnswer {
  status: number;
  /** The JSON body: a message, or `{type: "error", error: {type, message}}`. */
  body: Record<string, unknown>;
  headers: Headers;
}

/**
 * Sends `body` (a Messages API request without `anthropic_version`, with `model`) to `upstream`'s
 * `POST /v1/messages` (non-streaming) or `POST /v1/messages/count_tokens`.
 */
export async function askUpstream(
  upstream: Pick<AnthropicStandIn, "url" | "apiKey">,
  body: Record<string, unknown>,
  path: "/v1/messages" | "/v1/messages/count_tokens" = "/v1/messages",
): Promise<UpstreamAnswer> {
  const response = await fetch(`${upstream.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": upstream.apiKey,
      "anthropic-version": "2023-06-01",
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** The `error.type` and `error.message` of an Anthropic error body. */
export function upstreamError(body: Record<string, unknown>): { type: string; message: string } {
  const error = body.error as { type?: unknown; message?: unknown } | undefined;
  return { type: String(error?.type ?? "api_error"), message: String(error?.message ?? "") };
}
