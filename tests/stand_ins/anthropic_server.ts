/**
 * A stand-in for the Anthropic Messages API: a loopback HTTP server speaking
 * the real wire format (`POST /v1/messages`, non-streaming), answering from
 * scripted model turns. The real `@anthropic-ai/sdk` client talks to it
 * through `baseURL` / `ANTHROPIC_BASE_URL`.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ModelScript, ScriptedBlock } from "../../examples/scenario.ts";
import { invalidRequestReason } from "./anthropic_request.ts";
import { createScriptPlayer, hasToolUse } from "./anthropic_script.ts";
import { createPromptCache } from "./anthropic_usage.ts";

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
}

/** A running stand-in. */
export interface AnthropicStandIn {
  /** Base URL for the SDK, e.g. `http://127.0.0.1:41234`. */
  url: string;
  apiKey: string;
  /** Every request body received, parsed as JSON when possible, in arrival order. */
  requests: unknown[];
  /** Stops the server and drops open connections. Idempotent. */
  close(): Promise<void>;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomId(prefix: string): string {
  return prefix + Array.from(randomBytes(22), (byte) => BASE62[byte % 62]).join("");
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    "content-type": "application/json",
    "request-id": randomId("req_011"),
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  error: { type: string; message: string },
  headers?: Record<string, string>,
) {
  send(res, status, { type: "error", error }, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The key a request presents: `x-api-key`, or `Authorization: Bearer` (what SDK 1.x sends). */
function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers["x-api-key"];
  if (typeof header === "string" && header !== "") return header;
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  return match?.[1];
}

function wireContent(blocks: ScriptedBlock[]) {
  return blocks.map((block) =>
    block.type === "text"
      ? { type: "text", text: block.text }
      : { type: "tool_use", id: randomId("toolu_01"), name: block.name, input: block.input }
  );
}

/**
 * Starts the stand-in on 127.0.0.1 at an ephemeral port.
 *
 * Requests need the configured key, as `x-api-key` or as `Authorization:
 * Bearer` (SDK 1.x sends the latter), else 401 `authentication_error`, and an
 * `anthropic-version` header; bodies are checked
 * like the real API does (400 `invalid_request_error`). Usage is estimated at
 * ~4 characters per token, with cache reads and writes at the request's
 * `cache_control` breakpoints. When a script runs out, the stand-in answers
 * `end_turn` with a text block saying so.
 */
export async function startAnthropicStandIn(options: AnthropicStandInOptions): Promise<AnthropicStandIn> {
  const apiKey = options.apiKey ?? randomId("sk-ant-standin-");
  const requests: unknown[] = [];
  const player = createScriptPlayer(options.scripts);
  const cache = createPromptCache({ minCacheTokens: options.minCacheTokens ?? 1024 });
  const retryHeaders: Record<string, string> = options.retryAfterMs === undefined
    ? {}
    : { "retry-after-ms": String(options.retryAfterMs) };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    requests.push(body ?? raw);
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    if (req.method !== "POST" || path !== "/v1/messages") {
      return sendError(res, 404, { type: "not_found_error", message: `Not found: ${req.method} ${path}` });
    }
    if (presentedKey(req) !== apiKey) {
      return sendError(res, 401, { type: "authentication_error", message: "invalid x-api-key" });
    }
    if (!req.headers["anthropic-version"]) {
      return sendError(res, 400, {
        type: "invalid_request_error",
        message: "anthropic-version: header is required",
      });
    }
    if (body === undefined) {
      return sendError(res, 400, {
        type: "invalid_request_error",
        message: "Request body is not valid JSON",
      });
    }
    const invalid = invalidRequestReason(body);
    if (invalid !== undefined) {
      return sendError(res, 400, { type: "invalid_request_error", message: invalid });
    }

    const request = body as Record<string, unknown>;
    const pick = player.pick(request);
    if (pick.kind === "error") {
      const { status, type, message } = pick.error;
      return sendError(res, status, { type, message }, retryHeaders);
    }
    let content: ReturnType<typeof wireContent>;
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
    send(res, 200, {
      id: randomId("msg_01"),
      type: "message",
      role: "assistant",
      model: request.model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: cache.usageFor(request, JSON.stringify(content).length),
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
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}
