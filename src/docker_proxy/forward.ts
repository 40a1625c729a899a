/**
 * Sends one approved request to the engine and relays its answer. A plain
 * exchange relays the engine's response until it closes (the proxy asks for
 * `Connection: close`, so one connection carries one checked request). An
 * exec start whose answer is a raw stream (101 UPGRADED, or 200 with a Docker
 * stream content type) then becomes a two-way byte pipe: the client's stdin
 * to the exec, the exec's output back; half-closes are passed on, so a
 * command reading stdin sees its end. Nothing the client sends after the
 * request reaches the engine unless the engine hijacked the connection. A
 * checked exchange reads the engine's whole answer first, and the client gets
 * it only once the check has passed.
 */
import { ByteReader } from "./byte_reader.ts";
import { MAX_HEAD_BYTES, parseResponseHead } from "./http_message.ts";
import { ProxyRefusal } from "./refusal.ts";
import {
  askEngine,
  connectUpstream,
  type EngineAnswer,
  serializeRequest,
  type UpstreamRequest,
  writeAll,
} from "./upstream.ts";

const RAW_STREAM = /^application\/vnd\.docker\.(raw|multiplexed)-stream/;
/** Largest answer a checked exchange reads (a create's answer is its id and warnings). */
const MAX_CHECKED_ANSWER_BYTES = 1024 * 1024;
/** Framing the proxy sets itself when it relays a whole answer. */
const FRAMING = new Set(["content-length", "transfer-encoding", "connection", "keep-alive"]);

/**
 * Relays `request` between `client` (whose reader may hold bytes read ahead)
 * and the engine at `socketPath`. Resolves when the exchange is over; the
 * caller closes the client connection.
 * @param streamable true for an exec start, whose answer may become a raw stream.
 * @throws ProxyRefusal 502 when the engine cannot be reached or answers malformed HTTP; nothing
 *   has been sent to the client then.
 */
export async function forward(
  client: Deno.Conn,
  clientReader: ByteReader,
  socketPath: string,
  request: UpstreamRequest,
  streamable: boolean,
): Promise<void> {
  const upstream = await connectUpstream(socketPath);
  try {
    await writeAll(upstream, serializeRequest(request));
    if (!streamable) {
      await pump(upstream, client).catch(() => undefined);
      return;
    }
    const reader = new ByteReader(upstream);
    const head = await reader.readHead(MAX_HEAD_BYTES).catch((error) => {
      throw new ProxyRefusal(502, "docker-proxy: the Docker engine sent a malformed answer", {
        cause: error,
      });
    });
    if (head === null) throw new ProxyRefusal(502, "docker-proxy: the Docker engine closed the connection");
    const response = parseResponseHead(head);
    const hijacked = response.status === 101 ||
      (response.status === 200 && RAW_STREAM.test(response.headers.get("content-type") ?? ""));
    // From here on the client has the engine's answer, so failures only end the connection.
    if (!hijacked) {
      await pump(upstream, client, concat(latin1Bytes(head), reader.takeBuffered())).catch(() => undefined);
      return;
    }
    await writeAll(client, latin1Bytes(head)).catch(() => undefined);
    await pipeBothWays(client, clientReader, upstream, reader);
  } finally {
    close(upstream);
  }
}

/**
 * Sends `request` to the engine, reads its whole answer, runs `check` on it,
 * and only then writes the answer to `client` (re-framed with its length).
 * @throws ProxyRefusal 502 when the engine cannot be reached or answers malformed HTTP, and whatever
 *   `check` throws; nothing has been sent to the client then.
 */
export async function forwardChecked(
  client: Deno.Conn,
  socketPath: string,
  request: UpstreamRequest,
  check: (answer: EngineAnswer) => Promise<void>,
): Promise<void> {
  const answer = await askEngine(socketPath, request, MAX_CHECKED_ANSWER_BYTES);
  await check(answer);
  const lines = [answer.statusLine];
  for (const [name, value] of answer.headers) if (!FRAMING.has(name)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${answer.body.byteLength}`, "connection: close");
  const head = latin1Bytes(`${lines.join("\r\n")}\r\n\r\n`);
  // From here on the client has the engine's answer, so failures only end the connection.
  await writeAll(client, concat(head, answer.body)).catch(() => undefined);
}

async function pipeBothWays(
  client: Deno.Conn,
  clientReader: ByteReader,
  upstream: Deno.UnixConn,
  upstreamReader: ByteReader,
) {
  const down = pump(upstream, client, upstreamReader.takeBuffered()).catch(() => undefined).finally(() => {
    close(upstream);
    close(client);
  });
  const up = pump(client, upstream, clientReader.takeBuffered()).then(
    () => upstream.closeWrite().catch(() => undefined),
    () => {
      close(upstream);
      close(client);
    },
  );
  await Promise.allSettled([down, up]);
}

function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** Copies `from` to `to` until `from` ends, after writing `first`. */
async function pump(
  from: { read(p: Uint8Array): Promise<number | null> },
  to: Deno.Conn,
  first?: Uint8Array,
): Promise<void> {
  if (first && first.byteLength > 0) await writeAll(to, first);
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await from.read(buffer);
    if (n === null) return;
    await writeAll(to, buffer.subarray(0, n));
  }
}

/** Closes `conn`, ignoring a connection already closed. */
export function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
