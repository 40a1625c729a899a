/**
 * `SANDBOXES_PER_HOST` across replicas: two pools of Docker hosts (as two replicas hold them), each
 * with its own PostgreSQL pool and replica id, on one database (`host_slots`), placing on the real
 * engine through sockets that forward to it. The cap holds across both, the least-loaded choice
 * counts the other replica's slots, and a replica whose lease lapses frees its slots. Last, the
 * service on PostgreSQL with `DOCKER_HOSTS` counts another replica's slot.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import Docker from "dockerode";
import pg from "pg";
import { NO_AUDIT } from "../../src/audit.ts";
import { loadConfig } from "../../src/config.ts";
import { pgHostSlots } from "../../src/jobs/pg_host_slots.ts";
import { startReplicaLease } from "../../src/jobs/replica_leases.ts";
import { DEFAULT_DOCKER_SOCKET } from "../../src/sandbox/docker_client.ts";
import { DockerHostPool } from "../../src/sandbox/docker_host_pool.ts";
import type { PoolHost } from "../../src/sandbox/docker_host_pool_options.ts";
import { buildService } from "../../src/service.ts";
import { SERVICE_TEST_ENV } from "../jobs/service_fixture.ts";
import { SocketForwarder } from "../sandbox/socket_forwarder.ts";
import { type PgFixture, startPgFixture } from "./pg_fixture.ts";

const engineSocket: string = Deno.env.get("DOCKER_HOST")?.replace(/^unix:\/\//, "") ?? DEFAULT_DOCKER_SOCKET;
/** The pools' pings come round this often (`DOCKER_HOSTS_PING_MS`). */
const PING_MS = 100;

let fixture: PgFixture;
let dir: string;
let forwarders: SocketForwarder[];
let hosts: PoolHost[];
beforeAll(async () => {
  fixture = await startPgFixture();
  dir = await Deno.makeTempDir({ prefix: "host-slots-" });
  forwarders = ["one", "two"].map((n) => new SocketForwarder(`${dir}/${n}.sock`, engineSocket));
  hosts = forwarders.map((f) => {
    f.start();
    const docker = new Docker({ socketPath: f.path });
    return { name: `unix://${f.path}`, ping: () => docker.ping() };
  });
});
afterAll(async () => {
  for (const f of forwarders) await f.stop();
  await Deno.remove(dir, { recursive: true });
  await fixture.stop();
});

describe("slots on the Docker hosts, counted in PostgreSQL across replicas", () => {
  const closing: Array<() => Promise<void>> = [];
  /** What the pools passed to `onError` (a ledger that failed). */
  const errors: unknown[] = [];
  afterEach(async () => {
    expect(errors.splice(0)).toEqual([]);
    for (const close of closing.splice(0).reverse()) await close();
  });

  /** A database shared by the replicas, and a reader of its slot rows. */
  const database = async () => {
    const url = await fixture.freshDatabase();
    const reader = new pg.Pool({ connectionString: url, max: 1 });
    closing.push(() => reader.end());
    const rows = async () =>
      (await reader.query<{ host: string; replica: string }>(
        "SELECT host, replica FROM host_slots ORDER BY taken_at",
      )).rows.map((r) => [r.replica, r.host]);
    return { url, reader, rows };
  };
  /** One replica's pool of `on`, counting its slots in the database at `url`. */
  const replica = async (url: string, id: string, on: PoolHost[], capacity: number) => {
    const db = new pg.Pool({ connectionString: url, max: 4 });
    const pool = new DockerHostPool(on, {
      capacity,
      pingTimeoutMs: 1_500,
      ledger: pgHostSlots(db, id),
      onError: (error) => void errors.push(error),
    });
    await pool.start(PING_MS);
    closing.push(async () => {
      pool.stop();
      await db.end();
    });
    return { pool, db };
  };

  test("with SANDBOXES_PER_HOST=1, the second replica's acquire waits until the first replica releases", async () => {
    const { url, rows } = await database();
    const a = await replica(url, "replica-a", [hosts[0]!], 1);
    const b = await replica(url, "replica-b", [hosts[0]!], 1);
    const order: string[] = [];
    const first = await a.pool.acquire();
    let waiting!: () => void;
    const waits = new Promise<void>((resolve) => waiting = resolve);
    const second = b.pool.acquire({ onWait: () => Promise.resolve(waiting()) }).then((slot) => {
      order.push("b acquired");
      return slot;
    });
    await waits;
    // Several rounds of B's pings: it stays waiting while A holds the engine's one slot.
    for (let i = 0; i < 5; i++) await b.pool.check();
    expect(order).toEqual([]);
    expect(await rows()).toEqual([["replica-a", hosts[0]!.name]]);
    expect(b.pool.states()[0]).toMatchObject({ sandboxes: 1, capacity: 1 });
    order.push("a released");
    await first[Symbol.asyncDispose]();
    const slot = await second;
    expect(order).toEqual(["a released", "b acquired"]);
    expect(await rows()).toEqual([["replica-b", hosts[0]!.name]]);
    await slot[Symbol.asyncDispose]();
    expect(await rows()).toEqual([]);
  });

  test("the least-loaded host counts the other replica's slots", async () => {
    const { url, rows } = await database();
    const a = await replica(url, "replica-a", hosts, 2);
    const b = await replica(url, "replica-b", hosts, 2);
    const onA = await a.pool.acquire();
    // Host one holds A's slot, so B's first goes to host two (alone, B would take host one).
    const firstOfB = await b.pool.acquire();
    const secondOfB = await b.pool.acquire();
    expect([onA.host.name, firstOfB.host.name, secondOfB.host.name]).toEqual([
      hosts[0]!.name,
      hosts[1]!.name,
      hosts[0]!.name,
    ]);
    expect(b.pool.states().map((s) => s.sandboxes)).toEqual([2, 1]);
    await a.pool.check();
    expect(a.pool.states().map((s) => s.sandboxes)).toEqual([2, 1]);
    expect(await rows()).toEqual([
      ["replica-a", hosts[0]!.name],
      ["replica-b", hosts[1]!.name],
      ["replica-b", hosts[0]!.name],
    ]);
    for (const slot of [onA, firstOfB, secondOfB]) await slot[Symbol.asyncDispose]();
  });

  test("a replica whose lease lapses frees its slots, and a replica waiting for one gets it", async () => {
    const { url, reader, rows } = await database();
    const a = await replica(url, "replica-a", [hosts[0]!], 1);
    const b = await replica(url, "replica-b", [hosts[0]!], 1);
    // Long leases: no beat comes round by itself during the test; the test beats.
    const leaseA = startReplicaLease(a.db, { replicaId: "replica-a", leaseMs: 60_000 });
    const leaseB = startReplicaLease(b.db, { replicaId: "replica-b", leaseMs: 60_000 });
    closing.push(() => leaseA.stop(), () => leaseB.stop());
    await leaseA.beat();
    await leaseB.beat();
    const heldByB = await b.pool.acquire();
    let waiting!: () => void;
    const waits = new Promise<void>((resolve) => waiting = resolve);
    const ofA = a.pool.acquire({ onWait: () => Promise.resolve(waiting()) });
    await waits;
    // A's beat finds no dead replica: B's slot stays.
    await leaseA.beat();
    expect(await rows()).toEqual([["replica-b", hosts[0]!.name]]);
    // B stops beating (killed): its last beat is now older than a lease.
    b.pool.stop();
    await reader.query(
      "UPDATE replicas SET heartbeat_at = now() - interval '2 minutes' WHERE id = 'replica-b'",
    );
    await leaseA.beat();
    const slot = await ofA;
    expect(slot.host.name).toBe(hosts[0]!.name);
    expect(await rows()).toEqual([["replica-a", hosts[0]!.name]]);
    await slot[Symbol.asyncDispose]();
    // The dead replica's own release later finds nothing to free, and frees nothing of A's.
    await heldByB[Symbol.asyncDispose]();
    expect(await rows()).toEqual([]);
  });

  test("while the ledger cannot be read, a request waits; a slot that could not be given back is, at the next round", async () => {
    const { url, reader, rows } = await database();
    const a = await replica(url, "replica-a", [hosts[0]!], 1);
    const b = await replica(url, "replica-b", [hosts[0]!], 1);
    const held = await a.pool.acquire();
    // The table goes away under both replicas (as a database that does not answer would).
    await reader.query("ALTER TABLE host_slots RENAME TO host_slots_away");
    await held[Symbol.asyncDispose]();
    const ofB = b.pool.acquire();
    await a.pool.check();
    await b.pool.check();
    const failures = errors.splice(0).map((e) => (e as Error).message);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(new Set(failures)).toEqual(new Set(['relation "host_slots" does not exist']));
    // A's slot is still counted: not given back yet.
    expect((await reader.query("SELECT replica FROM host_slots_away")).rows).toEqual([{
      replica: "replica-a",
    }]);
    await reader.query("ALTER TABLE host_slots_away RENAME TO host_slots");
    const slot = await ofB;
    expect(await rows()).toEqual([["replica-b", hosts[0]!.name]]);
    await slot[Symbol.asyncDispose]();
    expect(await rows()).toEqual([]);
    // A round that began before the table came back may have failed the same way since.
    expect(errors.splice(0).filter((e) => !(e as Error).message.includes('"host_slots"'))).toEqual([]);
  });

  test("the service on PostgreSQL with DOCKER_HOSTS counts another replica's slot on its engine", async () => {
    const { url, reader } = await database();
    const engine = `unix://${engineSocket}`;
    await reader.query(
      "INSERT INTO host_slots (holder, host, replica) VALUES ('elsewhere', $1, 'replica-elsewhere')",
      [engine],
    );
    const service = await buildService(
      loadConfig({
        ...SERVICE_TEST_ENV,
        DATABASE_URL: url,
        DOCKER_HOSTS: engine,
        SANDBOXES_PER_HOST: "2",
        JOBS_DB_PATH: `${dir}/unused.sqlite`,
      }),
      { audit: NO_AUDIT },
    );
    closing.push(() => service.close());
    const body = await (await service.app.request("/readyz")).json();
    expect(body.hosts).toMatchObject([{ host: engine, status: "up", sandboxes: 1, capacity: 2 }]);
  });
});
