/** Feeding raw bytes to the proxy's HTTP parser without a socket: what it parsed, or how it refused. */
import { ByteReader, type Source } from "../../src/docker_proxy/byte_reader.ts";
import { readRequest } from "../../src/docker_proxy/http_message.ts";
import { ProxyRefusal } from "../../src/docker_proxy/refusal.ts";

/** How the bytes arrive: all in one read, or a few at a time (so CRLFs and limits straddle reads). */
export const DELIVERIES: Array<[string, number]> = [["in one read", Infinity], ["7 bytes a read", 7]];

/** The body limit the tables use, bytes. */
export const MAX_BODY = 1024;

/** `text` as latin1 bytes: each char one byte, so "\xa0" is the single byte 0xA0. */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A source handing out `data` at most `size` bytes a read (and no more than the reader asks for). */
export function pieces(data: Uint8Array, size: number): Source & { unread(): number } {
  let at = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (at >= data.byteLength) return Promise.resolve(null);
      const n = Math.min(size, p.byteLength, data.byteLength - at);
      p.set(data.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
    unread: () => data.byteLength - at,
  };
}

/** A parsed request in a comparable form (headers as an object, the body as latin1 text). */
export interface Parsed {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: string;
}

/** A refusal as the client sees it. */
export interface Refused {
  status: number;
  message: string;
}

/** What {@link readRequest} makes of `raw`: the request, the refusal, or null when nothing was sent. */
export async function parse(
  raw: string | Uint8Array,
  size = Infinity,
  maxBody = MAX_BODY,
): Promise<Parsed | Refused | null> {
  const reader = new ByteReader(pieces(typeof raw === "string" ? bytes(raw) : raw, size));
  try {
    const request = await readRequest(reader, maxBody);
    if (!request) return null;
    return {
      method: request.method,
      target: request.target,
      headers: Object.fromEntries(request.headers),
      body: String.fromCharCode(...request.body),
    };
  } catch (error) {
    if (!(error instanceof ProxyRefusal)) throw error;
    return { status: error.status, message: error.message };
  }
}

/** A `POST /volumes/create` with Host, then `fields` (whole lines with their CRLF), then `body`. */
export function post(fields: string, body = ""): string {
  return `POST /volumes/create HTTP/1.1\r\nHost: x\r\n${fields}\r\n${body}`;
}

/** A chunked `POST` whose body is `chunks` exactly as written (sizes, data, last chunk, trailers). */
export function chunked(chunks: string): string {
  return post("Transfer-Encoding: chunked\r\n", chunks);
}
