/**
 * An engine that accepts connections and never answers (a hung dockerd, a stalled proxy): each
 * round of pings marks it down, and leaves no connection open to it.
 */
import { afterEach, expect, test } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { memoryEnvironmentUses } from "../../src/environments/environment_uses.ts";
import { dockerClientFor } from "../../src/sandbox/docker_client.ts";
import { DockerHostPool } from "../../src/sandbox/docker_host_pool.ts";
import { buildEngine } from "../../src/service_engine.ts";
import { silentServer } from "../silent_server.ts";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** An engine that accepts and never answers; `accepted` holds its connections. */
function silentEngine() {
  const server = silentServer();
  closers.push(server.close);
  return server;
}

/** Resolves once the client has closed `conn` (its read ends); what it sent is discarded. */
async function closedByClient(conn: Deno.Conn): Promise<true> {
  const buffer = new Uint8Array(4096);
  while ((await conn.read(buffer)) !== null);
  return true;
}

test(
  "a ping with no answer marks the engine down and closes its request: rounds leave no connection open",
  async () => {
    const silent = silentEngine();
    const url = `tcp://127.0.0.1:${silent.port}`;
    const config = loadConfig({
      GITHUB_TOKEN: "ghp_x",
      ANTHROPIC_API_KEY: "sk-ant-x",
      AUTH_DISABLED: "true",
    });
    const engine = buildEngine(
      url,
      dockerClientFor({ kind: "tcp", url, host: "127.0.0.1", port: silent.port }),
      config,
      memoryEnvironmentUses(),
    );
    const pool = new DockerHostPool([engine], { capacity: 1, pingTimeoutMs: 200 });
    for (let round = 0; round < 3; round++) {
      const [state] = await pool.check();
      expect(state).toMatchObject({ host: url, status: "down", error: "no answer within 200 ms" });
    }
    expect(silent.accepted).toHaveLength(3);
    expect(await Promise.all(silent.accepted.map(closedByClient))).toEqual([true, true, true]);
  },
  20_000,
);

test("rounds of pings do not pile up behind an engine that does not answer", async () => {
  const started: AbortSignal[] = [];
  let secondStarted!: () => void;
  const second = new Promise<void>((resolve) => secondStarted = resolve);
  // Each ping waits until the pool ends it (its time is up).
  const hung = {
    name: "tcp://hung.internal:2375",
    ping(signal?: AbortSignal) {
      started.push(signal!);
      if (started.length === 2) secondStarted();
      return new Promise((_, reject) => signal!.addEventListener("abort", () => reject(signal!.reason)));
    },
  };
  const pool = new DockerHostPool([hung], { capacity: 1, pingTimeoutMs: 300 });
  closers.push(() => pool.stop());
  // Ticks every 10 ms: without a bound, some 30 pings would start while one waits its 300 ms.
  await pool.start(10);
  await second;
  const secondEnded = new Promise((resolve) => started[1]!.addEventListener("abort", resolve));
  await secondEnded;
  expect(started).toHaveLength(2);
  expect(started.every((signal) => signal.aborted)).toBe(true);
  expect(pool.states()[0]).toMatchObject({ status: "down", error: "no answer within 300 ms" });
});
