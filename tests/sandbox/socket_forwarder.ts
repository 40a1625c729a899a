/**
 * A unix socket that forwards every connection to another one (the engine's), and can be stopped
 * and started: stopped, its connections are closed and its path is gone, as a dead engine's are.
 */

/** A stoppable forwarder; {@link SocketForwarder.stop} is idempotent. */
export class SocketForwarder {
  #listener: Deno.UnixListener | undefined;
  readonly #conns = new Set<Deno.Conn>();
  #serving: Promise<void> | undefined;

  constructor(readonly path: string, private readonly target: string) {}

  /** Listens at {@link path}. */
  start(): void {
    const listener = Deno.listen({ transport: "unix", path: this.path });
    this.#listener = listener;
    this.#serving = this.#accept(listener);
  }

  /** Closes the listener and every connection, and removes the path. */
  async stop(): Promise<void> {
    this.#listener?.close();
    this.#listener = undefined;
    for (const conn of this.#conns) conn.close();
    this.#conns.clear();
    await this.#serving;
    await Deno.remove(this.path).catch(() => undefined);
  }

  async #accept(listener: Deno.UnixListener): Promise<void> {
    const pipes: Promise<void>[] = [];
    try {
      for await (const conn of listener) pipes.push(this.#pipe(conn));
    } catch {
      // closed
    }
    await Promise.allSettled(pipes);
  }

  async #pipe(client: Deno.Conn): Promise<void> {
    this.#conns.add(client);
    let upstream: Deno.Conn | undefined;
    try {
      upstream = await Deno.connect({ transport: "unix", path: this.target });
      this.#conns.add(upstream);
      await Promise.race([
        client.readable.pipeTo(upstream.writable),
        upstream.readable.pipeTo(client.writable),
      ]);
    } catch {
      // either side closed
    } finally {
      for (const conn of [client, upstream]) {
        if (!conn) continue;
        this.#conns.delete(conn);
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
    }
  }
}
