/**
 * An HTTP `CONNECT` proxy (RFC 9110 §9.3.6) that opens a tunnel to one named host only, and sends it to
 * a local server instead of the internet; every other `CONNECT`, and every other method, gets 403 and
 * the connection closed, so nothing else leaks through it. Clients reach it through `HTTPS_PROXY`.
 */

/** A running proxy. */
export interface ConnectProxy {
  /** `HTTPS_PROXY` (`http://127.0.0.1:port`). */
  url: string;
  /** The `host:port` of each tunnel opened, in order. */
  tunnels: string[];
  /** The request line of each request refused, in order. */
  refusals: string[];
  close(): Promise<void>;
}

const HEAD_LIMIT = 8192;

async function readHead(conn: Deno.Conn): Promise<{ head: string; rest: Uint8Array } | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const buffer = new Uint8Array(4096);
  while (size < HEAD_LIMIT) {
    const read = await conn.read(buffer);
    if (read === null) return undefined;
    chunks.push(buffer.slice(0, read));
    size += read;
    const all = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) all.set(chunk, (at += chunk.length) - chunk.length);
    const text = new TextDecoder("latin1").decode(all);
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) return { head: text.slice(0, end), rest: all.slice(end + 4) };
  }
  return undefined;
}

/**
 * Starts the proxy on 127.0.0.1 at an ephemeral port: `CONNECT {host}` is tunnelled to `to` (a local
 * port); anything else is refused.
 */
export function startConnectProxy(options: { host: string; to: { hostname: string; port: number } }) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const tunnels: string[] = [];
  const refusals: string[] = [];
  const open = new Set<Deno.Conn>();

  async function tunnel(client: Deno.Conn): Promise<void> {
    const request = await readHead(client);
    const line = request?.head.split("\r\n")[0] ?? "";
    const [method, target] = line.split(" ");
    if (!request || method !== "CONNECT" || target !== options.host) {
      refusals.push(line);
      await client.write(new TextEncoder().encode("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"));
      return;
    }
    const server = await Deno.connect(options.to);
    open.add(server);
    tunnels.push(target);
    await client.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    if (request.rest.length > 0) await server.write(request.rest);
    const closeBoth = () => {
      for (const conn of [client, server]) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
    };
    await Promise.all([
      client.readable.pipeTo(server.writable, { preventClose: true }).catch(() => {}).finally(closeBoth),
      server.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {}).finally(closeBoth),
    ]);
    open.delete(server);
  }

  const accepting = (async () => {
    for await (const client of listener) {
      open.add(client);
      tunnel(client).catch(() => {}).finally(() => {
        open.delete(client);
        try {
          client.close();
        } catch { /* closed by the tunnel */ }
      });
    }
  })().catch(() => {});
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    tunnels,
    refusals,
    close: () =>
      closing ??= (async () => {
        listener.close();
        for (const conn of open) {
          try {
            conn.close();
          } catch { /* closed */ }
        }
        await accepting;
      })(),
  } satisfies ConnectProxy;
}
