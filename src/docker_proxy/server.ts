/**
 * The proxy's listener: accepts TCP connections up to a limit, reads one
 * request from each, refuses it (JSON `{"message"}` and an audit line) or
 * forwards it to the engine, then closes the connection.
 */
import { authorize } from "./authorize.ts";
import { ByteReader } from "./byte_reader.ts";
import type { ProxyConfig } from "./config.ts";
import { close, forward, forwardChecked } from "./forward.ts";
import { type HttpRequest, readRequest } from "./http_message.ts";
import { createOwnership, type Ownership } from "./ownership.ts";
import { auditRefusal, type AuditWriter } from "./refusal_audit.ts";
import { ProxyRefusal } from "./refusal.ts";
import { matchRoute } from "./routes.ts";
import { createSandboxCap, type SandboxCap } from "./sandbox_cap.ts";
import { writeAll } from "./upstream.ts";
import { createVolumeHolds } from "./volume_holds.ts";

/** Options for {@link startDockerProxy}. */
export interface DockerProxyOptions {
  /** Where audit lines go. Default: stderr. */
  audit?: AuditWriter;
  /** How long a client has to send its request head and body, ms. Default 30000. */
  requestTimeoutMs?: number;
  /** Ownership look-ups (tests). Default: on the engine, answers cached 5 s. */
  ownership?: Ownership;
  /** The sandbox count (tests: counting only their own run). Default: every managed resource on the engine. */
  sandboxes?: SandboxCap;
}

/** A running proxy. */
export interface DockerProxy {
  hostname: string;
  /** The port it listens on (the chosen one when the config said 0). */
  port: number;
  /** Stops accepting, closes every open connection, and resolves when all have ended. */
  close(): Promise<void>;
}

const LINGER_MS = 1_000;

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  413: "Content Too Large",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/**
 * Starts listening on `config.hostname:config.port`.
 * Needs: `--allow-net` for the listen address, `--allow-read` and `--allow-write` on `config.upstreamSocket`.
 */
export function startDockerProxy(config: ProxyConfig, options: DockerProxyOptions = {}): DockerProxy {
  const audit = options.audit ?? ((line: string) => console.error(line));
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const ownership = options.ownership ?? createOwnership(config.upstreamSocket);
  const sandboxes = options.sandboxes ?? createSandboxCap(config.upstreamSocket, config.maxSandboxes);
  const deps = {
    ownership,
    sandboxes,
    allowedImages: config.allowedImages,
    allowedRuntimes: config.allowedRuntimes,
    caps: config.caps,
    volumes: createVolumeHolds(),
    upstreamSocket: config.upstreamSocket,
    egressNetwork: config.egressNetwork,
  };
  const listener = Deno.listen({ hostname: config.hostname, port: config.port, transport: "tcp" });
  const open = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();

  async function handle(conn: Deno.Conn): Promise<void> {
    const client = `${(conn.remoteAddr as Deno.NetAddr).hostname}:${(conn.remoteAddr as Deno.NetAddr).port}`;
    let request: HttpRequest | null = null;
    try {
      if (open.size > config.maxConnections) {
        throw new ProxyRefusal(503, `docker-proxy: more than ${config.maxConnections} connections open`);
      }
      const reader = new ByteReader(conn);
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        close(conn);
      }, timeoutMs);
      try {
        request = await readRequest(reader, config.maxBodyBytes);
      } catch (error) {
        if (late) {
          throw new ProxyRefusal(408, "docker-proxy: the request did not arrive in time", { cause: error });
        }
        if (error instanceof ProxyRefusal) throw error;
        return; // the client went away
      } finally {
        clearTimeout(timer);
      }
      if (!request) return;
      const route = matchRoute(request.method, request.target);
      const approved = await authorize(request, route, deps);
      try {
        if (approved.check) {
          await forwardChecked(conn, config.upstreamSocket, approved.upstream, approved.check);
        } else {
          await forward(conn, reader, config.upstreamSocket, approved.upstream, route.name === "exec_start");
        }
        approved.after?.();
      } finally {
        approved.release?.();
      }
    } catch (error) {
      const refusal = error instanceof ProxyRefusal
        ? error
        : new ProxyRefusal(502, "docker-proxy: the request failed", { cause: error });
      const method = request?.method ?? "-";
      const path = request?.target.split("?")[0] ?? "-";
      if (refusal.status !== 404) {
        const why = refusal === error ? "" : ` (${String(error).slice(0, 200)})`;
        auditRefusal(audit, {
          method,
          path,
          status: refusal.status,
          reason: `${refusal.message}${why}`,
          client,
        });
      }
      await respond(conn, refusal.status, refusal.message).catch(() => undefined);
    } finally {
      await lingerAndClose(conn);
    }
  }

  let closing = false;
  const accepting = (async () => {
    while (!closing) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing || error instanceof Deno.errors.BadResource) return;
        // e.g. out of file descriptors: keep serving the connections already open, retry shortly.
        console.error(
          JSON.stringify({ level: "warn", msg: "docker-proxy accept failed", error: String(error) }),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      // Interactive streams (the bash session) send small writes; Nagle's algorithm would hold them back.
      conn.setNoDelay(true);
      open.add(conn);
      const done: Promise<void> = handle(conn).finally(() => {
        open.delete(conn);
        handlers.delete(done);
      });
      handlers.add(done);
    }
  })();

  const addr = listener.addr as Deno.NetAddr;
  return {
    hostname: addr.hostname,
    port: addr.port,
    async close() {
      closing = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
      await accepting;
      for (const conn of open) close(conn);
      await Promise.allSettled([...handlers]);
    },
  };
}

/**
 * Half-closes, then reads what the client still sends for a moment before
 * closing: closing a socket with unread input resets it, and the client could
 * lose the answer (e.g. a 413 sent before its body was read).
 */
async function lingerAndClose(conn: Deno.Conn): Promise<void> {
  try {
    await conn.closeWrite();
    const timer = setTimeout(() => close(conn), LINGER_MS);
    try {
      const sink = new Uint8Array(16 * 1024);
      for (let total = 0; total < 1024 * 1024;) {
        const n = await conn.read(sink);
        if (n === null) break;
        total += n;
      }
    } finally {
      clearTimeout(timer);
    }
  } catch {
    // already closed or reset
  }
  close(conn);
}

async function respond(conn: Deno.Conn, status: number, message: string): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify({ message }));
  const head = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}`,
    "Content-Type: application/json",
    `Content-Length: ${body.byteLength}`,
    "Connection: close",
  ].join("\r\n");
  await writeAll(conn, new TextEncoder().encode(`${head}\r\n\r\n`));
  await writeAll(conn, body);
}
