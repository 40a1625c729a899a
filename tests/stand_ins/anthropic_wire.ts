/**
 * The Anthropic stand-in's HTTP plumbing: ids in the API's shape, JSON responses with a `request-id`,
 * error bodies (`{"type":"error","error":{type,message}}`), and reading a request.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** An id like the API's: `prefix` and 22 base-62 characters (`msg_01…`, `toolu_01…`, `req_011…`). */
export function randomId(prefix: string): string {
  return prefix + Array.from(randomBytes(22), (byte) => BASE62[byte % 62]).join("");
}

/** Sends a JSON response with a fresh `request-id`. */
export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    "content-type": "application/json",
    "request-id": randomId("req_011"),
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** Sends the API's error body. */
export function sendError(
  res: ServerResponse,
  status: number,
  error: { type: string; message: string },
  headers?: Record<string, string>,
) {
  send(res, status, { type: "error", error }, headers);
}

/** The request body, as bytes. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The key a request presents: `x-api-key`, or `Authorization: Bearer` (what SDK 1.x sends). */
export function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers["x-api-key"];
  if (typeof header === "string" && header !== "") return header;
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  return match?.[1];
}
