/**
 * A stand-in for an LLM gateway in front of the Messages API (LiteLLM, Portkey, a cloud AI gateway):
 * it serves the same `POST /v1/messages` at its own URL, authenticates callers with its own virtual
 * key (`x-api-key`) and a header of its own, and forwards to the Anthropic stand-in with the real key.
 * Like some real gateways, its 401 body quotes the header value it refused, so tests can prove the
 * service never shows that value.
 */
import type { AnthropicStandIn } from "./anthropic_server.ts";

/** Options for {@link startLlmGateway}. */
export interface LlmGatewayOptions {
  upstream: Pick<AnthropicStandIn, "url" | "apiKey">;
  /** The virtual key callers send as `x-api-key`. */
  virtualKey: string;
  /** The gateway's own header and the value it expects. */
  header: { name: string; value: string };
}

/** A running gateway. */
export interface LlmGateway {
  /** `ANTHROPIC_BASE_URL`. */
  url: string;
  /** Requests forwarded upstream. */
  forwarded: number;
  close(): Promise<void>;
}

/** Starts the gateway on 127.0.0.1 at an ephemeral port. */
export function startLlmGateway(options: LlmGatewayOptions): LlmGateway {
  const state = { forwarded: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const presented = request.headers.get(options.header.name) ?? "";
    const key = request.headers.get("x-api-key") ??
      /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    if (presented !== options.header.value || key !== options.virtualKey) {
      return Response.json({
        type: "error",
        error: {
          type: "authentication_error",
          message:
            `gateway: ${options.header.name} "${presented}" or the virtual key is not valid for this route`,
        },
      }, { status: 401 });
    }
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete(options.header.name);
    headers.delete("authorization");
    headers.set("x-api-key", options.upstream.apiKey);
    headers.delete("host");
    state.forwarded += 1;
    const response = await fetch(options.upstream.url + url.pathname + url.search, {
      method: request.method,
      headers,
      body: await request.arrayBuffer(),
    });
    return new Response(await response.arrayBuffer(), { status: response.status, headers: response.headers });
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get forwarded() {
      return state.forwarded;
    },
    close: () => closing ??= server.shutdown(),
  };
}
