/**
 * The engine side: connections to its unix socket, requests written from
 * parsed parts only (never the client's bytes), and small JSON look-ups.
 */
import { ByteReader } from "./byte_reader.ts";
import { MAX_HEAD_BYTES, parseResponseHead, readBody } from "./http_message.ts";
import { ProxyRefusal } from "./refusal.ts";

/** A request the policy has approved, in the form the engine will receive it. */
export interface UpstreamRequest {
  method: string;
  /** Path and query, already canonical (`/v1.41/containers/<id>/start`). */
  target: string;
  /** JSON body, re-serialised from the checked object. */
  body?: Uint8Array;
  /** `POST /exec/{id}/start`: ask for a hijacked (upgraded) raw stream. */
  hijack?: boolean;
}

/** Largest look-up answer read from the engine (a container inspect is a few KiB). */
const MAX_LOOKUP_BYTES = 4 * 1024 * 1024;

/**
 * Connects to the engine's socket.
 * Needs: `--allow-read` and `--allow-write` on the socket path.
 * @throws ProxyRefusal 502 when it does not answer.
 */
export async function connectUpstream(socketPath: string): Promise<Deno.UnixConn> {
  try {
    return await Deno.connect({ transport: "unix", path: socketPath });
  } catch (error) {
    throw new ProxyRefusal(502, `docker-proxy: the Docker engine at ${socketPath} does not answer`, {
      cause: error,
    });
  }
}

/** The bytes of `request` as the engine receives them; one request per connection. */
export function serializeRequest(request: UpstreamRequest): Uint8Array {
  const lines = [
    `${request.method} ${request.target} HTTP/1.1`,
    "Host: docker",
    "User-Agent: backend-agent-docker-proxy",
    ...(request.hijack ? ["Connection: Upgrade", "Upgrade: tcp"] : ["Connection: close"]),
    ...(request.body ? ["Content-Type: application/json", `Content-Length: ${request.body.byteLength}`] : []),
  ];
  const head = new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`);
  if (!request.body) return head;
  const out = new Uint8Array(head.byteLength + request.body.byteLength);
  out.set(head);
  out.set(request.body, head.byteLength);
  return out;
}

/** Writes all of `bytes` (a conn's `write` may write part of them). */
export async function writeAll(
  conn: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) at += await conn.write(bytes.subarray(at));
}

/** A look-up's answer: the status and the parsed JSON body (undefined when not JSON). */
export interface LookupAnswer {
  status: number;
  json: unknown;
}

/** The engine's whole answer to one request, read before the client sees any of it. */
export interface EngineAnswer {
  /** The status line as the engine sent it (`HTTP/1.1 201 Created`). */
  statusLine: string;
  status: number;
  /** Lower-case names. */
  headers: Map<string, string>;
  /** The body, de-chunked. */
  body: Uint8Array;
}

/**
 * Sends `request` to the engine and reads its whole answer, at most `maxBodyBytes` of body.
 * @throws ProxyRefusal 502 when the engine does not answer or answers malformed HTTP.
 */
export async function askEngine(
  socketPath: string,
  request: UpstreamRequest,
  maxBodyBytes = MAX_LOOKUP_BYTES,
): Promise<EngineAnswer> {
  const conn = await connectUpstream(socketPath);
  try {
    await writeAll(conn, serializeRequest(request));
    const reader = new ByteReader(conn);
    const head = await reader.readHead(MAX_HEAD_BYTES);
    if (head === null) throw new ProxyRefusal(502, "docker-proxy: the Docker engine closed the connection");
    const { status, headers } = parseResponseHead(head);
    const body = await readBody(reader, headers, maxBodyBytes, true);
    return { statusLine: head.slice(0, head.indexOf("\r\n")), status, headers, body };
  } catch (error) {
    if (error instanceof ProxyRefusal && error.status === 502) throw error;
    throw new ProxyRefusal(
      502,
      `docker-proxy: the Docker engine did not answer ${request.method} ${request.target.split("?")[0]}`,
      { cause: error },
    );
  } finally {
    conn.close();
  }
}

/** The JSON in `answer`'s body; undefined when it is not JSON. */
export function answerJson(answer: EngineAnswer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(answer.body));
  } catch {
    return undefined;
  }
}

/**
 * `GET target` on the engine, for the proxy's own look-ups (never on the client's behalf).
 * @throws ProxyRefusal 502 when the engine does not answer or answers malformed HTTP.
 */
export async function getJson(socketPath: string, target: string): Promise<LookupAnswer> {
  const answer = await askEngine(socketPath, { method: "GET", target });
  return { status: answer.status, json: answerJson(answer) };
}
