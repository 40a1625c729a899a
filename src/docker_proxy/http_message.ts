/**
 * Strict HTTP/1.1 parsing for the proxy: one request head and its body from a
 * client, one response head from the engine. Anything ambiguous between two
 * parsers (duplicate or conflicting framing headers, folded lines, bare LF,
 * absolute-form targets) is refused rather than guessed, so the engine never
 * sees a request the policy did not.
 */
import { concat } from "../sandbox/output_cap.ts";
import type { ByteReader } from "./byte_reader.ts";
import { badRequest, ProxyRefusal } from "./refusal.ts";

/** Largest request or response head, bytes. */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_HEADERS = 64;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers whose repetition could make two parsers disagree. */
const SINGLE = new Set([
  "content-length",
  "transfer-encoding",
  "host",
  "connection",
  "upgrade",
  "content-type",
]);

/** A parsed request: lower-case header names, the body already de-chunked. */
export interface HttpRequest {
  method: string;
  /** The request target as sent (origin form: path and query). */
  target: string;
  headers: Map<string, string>;
  body: Uint8Array;
}

/** A parsed response head. */
export interface HttpResponseHead {
  status: number;
  headers: Map<string, string>;
}

/**
 * Reads one request from `reader`; null when the client closed before sending one.
 * @throws ProxyRefusal 400 (malformed), 413 (body over `maxBodyBytes`), 431 (head too large).
 */
export async function readRequest(reader: ByteReader, maxBodyBytes: number): Promise<HttpRequest | null> {
  const head = await reader.readHead(MAX_HEAD_BYTES);
  if (head === null) return null;
  const lines = splitHead(head);
  const start = /^([A-Z]{1,16}) (\/[\x21-\x7e]*) HTTP\/1\.[01]$/.exec(lines[0] ?? "");
  if (!start) throw badRequest("malformed request line");
  const headers = parseHeaders(lines.slice(1));
  const body = await readBody(reader, headers, maxBodyBytes);
  return { method: start[1]!, target: start[2]!, headers, body };
}

/** Parses a response head (status line and headers). @throws ProxyRefusal 502 when malformed. */
export function parseResponseHead(head: string): HttpResponseHead {
  const lines = splitHead(head, 502);
  const start = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? "");
  if (!start) throw new ProxyRefusal(502, "the engine sent a malformed response");
  return { status: Number(start[1]), headers: parseHeaders(lines.slice(1), 502) };
}

/**
 * Reads a message body framed by `headers`: chunked, Content-Length, or (when
 * `untilEnd`, for responses) everything until the connection closes.
 */
export async function readBody(
  reader: ByteReader,
  headers: Map<string, string>,
  limit: number,
  untilEnd = false,
): Promise<Uint8Array> {
  const te = headers.get("transfer-encoding");
  const cl = headers.get("content-length");
  if (te !== undefined) {
    if (te.toLowerCase() !== "chunked") throw badRequest(`unsupported Transfer-Encoding "${te}"`);
    if (cl !== undefined) throw badRequest("both Content-Length and Transfer-Encoding");
    return await readChunked(reader, limit);
  }
  if (cl !== undefined) {
    if (!/^\d{1,15}$/.test(cl)) throw badRequest(`invalid Content-Length "${cl}"`);
    const length = Number(cl);
    if (length > limit) {
      throw new ProxyRefusal(413, `body of ${length} bytes is over the ${limit}-byte limit`);
    }
    return await reader.readExactly(length);
  }
  return untilEnd ? await reader.readToEnd(limit) : new Uint8Array(0);
}

async function readChunked(reader: ByteReader, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const line = await reader.readLine(1024);
    const size = /^([0-9a-fA-F]{1,8})(?:;.*)?$/.exec(line);
    if (!size) throw badRequest("malformed chunk size");
    const n = parseInt(size[1]!, 16);
    if (n === 0) break;
    total += n;
    if (total > limit) throw new ProxyRefusal(413, `body over the ${limit}-byte limit`);
    parts.push(await reader.readExactly(n));
    if (await reader.readLine(2) !== "") throw badRequest("malformed chunk end");
  }
  for (let i = 0; i < MAX_HEADERS; i++) {
    if (await reader.readLine(MAX_HEAD_BYTES) === "") return concat(parts);
  }
  throw badRequest("too many trailer lines");
}

function splitHead(head: string, status = 400): string[] {
  const text = head.slice(0, -4);
  if (/[\r\n]/.test(text.replaceAll("\r\n", ""))) {
    throw new ProxyRefusal(status, "bare CR or LF in the HTTP head");
  }
  return text.split("\r\n");
}

function parseHeaders(lines: string[], status = 400): Map<string, string> {
  if (lines.length > MAX_HEADERS) throw new ProxyRefusal(status === 400 ? 431 : status, "too many headers");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (colon <= 0 || !TOKEN.test(name) || hasControl(value)) {
      throw new ProxyRefusal(status, `malformed header line "${line.slice(0, 40)}"`);
    }
    if (headers.has(name)) {
      if (SINGLE.has(name)) throw new ProxyRefusal(status, `duplicate ${name} header`);
      continue;
    }
    headers.set(name, value);
  }
  return headers;
}

/** True when `value` holds a control character other than horizontal tab. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}
