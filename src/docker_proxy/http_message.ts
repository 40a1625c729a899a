/**
 * Strict HTTP/1.1 parsing for the proxy (RFC 9112): one request head and its
 * body from a client, one response head from the engine. Anything ambiguous
 * between two parsers (duplicate or conflicting framing headers, folded lines,
 * bare LF, absolute-form targets, a missing or invalid Host, chunked framing
 * in HTTP/1.0) is refused rather than guessed, so the engine never sees a
 * request the policy did not. Field lines: `field_lines.ts`; chunked bodies:
 * `chunked_body.ts`.
 */
import type { ByteReader } from "./byte_reader.ts";
import { readChunked } from "./chunked_body.ts";
import { parseFields, splitHead } from "./field_lines.ts";
import { badRequest, ProxyRefusal } from "./refusal.ts";

/** Largest request or response head, bytes. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Origin form only (RFC 9112 §3.2.1); HTTP/1.0 or 1.1. */
const REQUEST_LINE = /^([A-Z]{1,16}) (\/[\x21-\x7e]*) HTTP\/1\.([01])$/;
/** `Host = uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2): IPv6 literal, IPv4 or reg-name. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?$/;

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
  const start = REQUEST_LINE.exec(lines[0] ?? "");
  if (!start) throw badRequest("malformed request line");
  const headers = parseFields(lines.slice(1));
  const host = headers.get("host");
  // RFC 9112 §3.2: an HTTP/1.1 request without Host, or with an invalid one, gets 400.
  if (host === undefined && start[3] === "1") throw badRequest("missing Host header");
  if (host !== undefined && !HOST.test(host)) throw badRequest(`invalid Host header "${host.slice(0, 40)}"`);
  // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
  if (start[3] === "0" && headers.has("transfer-encoding")) {
    throw badRequest("Transfer-Encoding in an HTTP/1.0 request");
  }
  const body = await readBody(reader, headers, maxBodyBytes);
  return { method: start[1]!, target: start[2]!, headers, body };
}

/** Parses a response head (status line and headers). @throws ProxyRefusal 502 when malformed. */
export function parseResponseHead(head: string): HttpResponseHead {
  const lines = splitHead(head, 502);
  const start = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? "");
  if (!start) throw new ProxyRefusal(502, "the engine sent a malformed response");
  return { status: Number(start[1]), headers: parseFields(lines.slice(1), 502) };
}

/**
 * Reads a message body framed by `headers`: chunked, Content-Length, or (when
 * `untilEnd`, for responses) everything until the connection closes.
 * @throws ProxyRefusal 400 for a Transfer-Encoding other than chunked, one together with Content-Length, or an
 *   invalid Content-Length; 413 past `limit`.
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
    return await readChunked(reader, limit, MAX_HEAD_BYTES);
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
