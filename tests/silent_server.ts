/**
 * A TCP server on loopback that accepts connections and never writes: a hung dockerd, a database
 * that never answers, a stalled proxy. `accepted` holds its connections; `close` ends them and it.
 */
export function silentServer(): { port: number; accepted: Deno.Conn[]; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) accepted.push(conn);
  })().catch(() => undefined);
  return {
    port: listener.addr.port,
    accepted,
    close() {
      listener.close();
      for (const conn of accepted) conn.close();
    },
  };
}
