/**
 * A stand-in for the Anthropic Messages API: a loopback HTTP server speaking
 * the real wire format (`POST /v1/messages`, non-streaming, and
 * `POST /v1/messages/count_tokens`), answering from scripted model turns. The
 * real `@anthropic-ai/sdk` client talks to it through `baseURL` /
 * `ANTHROPIC_BASE_URL`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ModelScript, ScriptedBlock } from "../../examples/scenario.ts";
import { fitAnswer, type WireBlock } from "./anthropic_output.ts";
import { invalidRequestReason } from "./anthropic_request.ts";
import { createScriptPlayer, hasToolUse } from "./anthropic_script.ts";
import { CHARS_PER_TOKEN, createPromptCache, promptTokens } from "./anthropic_usage.ts";
import { presentedKey, randomId, readBody, send, sendError } from "./anthropic_wire.ts";

/** Options for {@link startAnthropicStandIn}. */
export interface AnthropicStandInOptions {
  /** The conversations the stand-in can play. */
  scripts: ModelScript[];
  /** The key clients must send (`x-api-key` or `Authorization: Bearer`). Default: a random `sk-ant-standin-…` key. */
  apiKey?: string;
  /** When set, error turns carry `retry-after-ms` with this value (the SDK waits that long). */
  retryAfterMs?: number;
  /** Shortest prefix, in tokens, the prompt cache stores (the real API's minimum is 1024). Default: 1024. */
  minCacheTokens?: number;
  /** The model ids served; any other gets 404 `not_found_error` (unknown or retired). Default: every id. */
  models?: string[];
  /** The context window, in tokens: a longer prompt gets 400 "prompt is too long". Default: 200,000. */
  contextWindowTokens?: number;
  /** Largest request body, in bytes, before 413 `request_too_large`. Default: 32 MB, the API's. */
  maxRequestBytes?: number;
  /**
   * Characters a token stands for in the stand-in's counts (usage, count-tokens, limits). Default 4;
   * less makes real counts run above a client's 4-characters estimate, as code and JSON do.
   */
  charsPerToken?: number;
}

/** A running stand-in. */
export interface AnthropicStandIn {
  /** Base URL for the SDK, e.g. `http://127.0.0.1:41234`. */
  url: string;
  apiKey: string;
  /** Every `POST /v1/messages` body received, parsed as JSON when possible, in arrival order. */
  requests: unknown[];
  /** Every `POST /v1/messages/count_tokens` body received, in arrival order. */
  countRequests: unknown[];
  /** Stops the server and drops open connections. Idempotent. */
  close(): Promise<void>;
}

const MESSAGES = "/v1/messages";
const COUNT_TOKENS = "/v1/messages/count_tokens";

function wireContent(blocks: ScriptedBlock[]): WireBlock[] {
  return blocks.map((block) =>
    block.type === "text"
      ? { type: "text", text: block.text }
      : { type: "tool_use", id: randomId("toolu_01"), name: block.name, input: block.input }
  );
}

/**
 * Starts the stand-in on 127.0.0.1 at an ephemeral port.
 *
 * In the API's order: a body over `maxRequestBytes` gets 413 `request_too_large`
 * (before anything else, as Cloudflare answers it); requests need the configured
 * key, as `x-api-key` or as `Authorization: Bearer` (SDK 1.x sends the latter),
 * else 401 `authentication_error`, and an `anthropic-version` header; bodies are
 * checked like the real API does (400 `invalid_request_error`); a model not in
 * `models` gets 404 `not_found_error`; a prompt over the context window gets 400
 * "prompt is too long: N tokens > M maximum". An answer is cut at `max_tokens` or
 * where the context window ends (see `fitAnswer`). Usage is estimated at ~4
 * characters per token, with cache reads and writes (split by TTL) at the
 * request's `cache_control` breakpoints. When a script runs out, the stand-in
 * answers `end_turn` with a text block saying so.
 */
export async function startAnthropicStandIn(options: AnthropicStandInOptions): Promise<AnthropicStandIn> {
  const apiKey = options.apiKey ?? randomId("sk-ant-standin-");
  const requests: unknown[] = [];
  const countRequests: unknown[] = [];
  const player = createScriptPlayer(options.scripts);
  const perToken = options.charsPerToken ?? CHARS_PER_TOKEN;
  const cache = createPromptCache({
    minCacheTokens: options.minCacheTokens ?? 1024,
    charsPerToken: perToken,
  });
  const window = options.contextWindowTokens ?? 200_000;
  const maxBytes = options.maxRequestBytes ?? 32 * 1024 * 1024;
  const retryHeaders: Record<string, string> = options.retryAfterMs === undefined
    ? {}
    : { "retry-after-ms": String(options.retryAfterMs) };

  /** The checks both endpoints make; the parsed body when they pass (the response is sent otherwise). */
  function admit(req: IncomingMessage, res: ServerResponse, raw: Buffer, path: string) {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      body = undefined;
    }
    (path === COUNT_TOKENS ? countRequests : requests).push(body ?? raw.toString("utf8"));
    if (raw.byteLength > maxBytes) {
      sendError(res, 413, {
        type: "request_too_large",
        message: "Request exceeds the maximum allowed number of bytes.",
      });
      return undefined;
    }
    if (req.method !== "POST" || (path !== MESSAGES && path !== COUNT_TOKENS)) {
      sendError(res, 404, { type: "not_found_error", message: `Not found: ${req.method} ${path}` });
      return undefined;
    }
    if (presentedKey(req) !== apiKey) {
      sendError(res, 401, { type: "authentication_error", message: "invalid x-api-key" });
      return undefined;
    }
    const invalid = !req.headers["anthropic-version"]
      ? "anthropic-version: header is required"
      : body === undefined
      ? "Request body is not valid JSON"
      : invalidRequestReason(body, path === COUNT_TOKENS ? "count_tokens" : "messages");
    if (invalid !== undefined) {
      sendError(res, 400, { type: "invalid_request_error", message: invalid });
      return undefined;
    }
    const request = body as Record<string, unknown>;
    if (options.models && !options.models.includes(String(request.model))) {
      sendError(res, 404, { type: "not_found_error", message: `model: ${String(request.model)}` });
      return undefined;
    }
    return request;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const request = admit(req, res, raw, path);
    if (request === undefined) return;
    const prompt = promptTokens(request, perToken);
    if (path === COUNT_TOKENS) return send(res, 200, { input_tokens: prompt });
    if (prompt > window) {
      return sendError(res, 400, {
        type: "invalid_request_error",
        message: `prompt is too long: ${prompt} tokens > ${window} maximum`,
      });
    }
    const pick = player.pick(request);
    if (pick.kind === "error") {
      const { status, type, message } = pick.error;
      return sendError(res, status, { type, message }, { ...retryHeaders, ...pick.headers });
    }
    let content: WireBlock[];
    let stopReason: string;
    if (pick.kind === "turn") {
      content = wireContent(pick.turn.content);
      stopReason = pick.turn.stop_reason ?? (hasToolUse(pick.turn.content) ? "tool_use" : "end_turn");
    } else {
      const text = pick.kind === "unmatched"
        ? "[stand-in] No script matches the first user message of this conversation."
        : `[stand-in] The script matching "${pick.match}" has no turn ${pick.index}; ending the conversation.`;
      content = [{ type: "text", text }];
      stopReason = "end_turn";
    }
    const fitted = fitAnswer(content, request.max_tokens as number, window - prompt, perToken);
    send(res, 200, {
      id: randomId("msg_01"),
      type: "message",
      role: "assistant",
      model: request.model,
      content: fitted.content,
      stop_reason: fitted.cutBy ?? stopReason,
      stop_sequence: null,
      usage: cache.usageFor(request, fitted.outputTokens),
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendError(res, 500, { type: "api_error", message: String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    countRequests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}
