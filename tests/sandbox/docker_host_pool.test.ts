/**
 * Placement over a pool of engines, against the real engine: two "hosts" are two sockets that
 * forward to the local engine's socket, so stopping one closes its connections and removes its path
 * (its pings fail with ENOENT, as a stopped engine's do) and starting it again brings it back.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Docker from "dockerode";
import { DEFAULT_DOCKER_SOCKET } from "../../src/sandbox/docker_client.ts";
import {
  DockerHostDownError,
  NoDockerHostError,
  SandboxLostError,
} from "../../src/sandbox/docker_host_errors.ts";
import { DockerHostPool } from "../../src/sandbox/docker_host_pool.ts";
import type { PoolHost } from "../../src/sandbox/docker_host_pool_options.ts";
import { containerEnded, onHost } from "../../src/sandbox/host_guard.ts";
import { SocketForwarder } from "./socket_forwarder.ts";
import { IMAGE as SANDBOX_IMAGE } from "../docker_proxy/proxy_fixture.ts";

const engineSocket: string = Deno.env.get("DOCKER_HOST")?.replace(/^unix:\/\//, "") ?? DEFAULT_DOCKER_SOCKET;

describe("a pool of Docker hosts", () => {
  let dir: string;
  let hostA: TestHost;
  let hostB: TestHost;

  type TestHost = PoolHost & { socket: string; forwarder: SocketForwarder };
  const engineAt = (socket: string): TestHost => {
    const docker = new Docker({ socketPath: socket });
    return {
      name: `unix://${socket}`,
      socket,
      ping: () => docker.ping(),
      forwarder: new SocketForwarder(socket, engineSocket),
    };
  };
  const stopHost = (host: TestHost) => host.forwarder.stop();
  /** What the service's guard of host A does, on `pool` and through `docker`. */
  const guardOf = (pool: DockerHostPool<TestHost>, docker: Docker) => ({
    name: hostA.name,
    confirmUp: () => pool.confirmUp(hostA),
    lost: () => undefined,
    sandboxEnded: (name: string) => containerEnded(docker, name),
  });
  const startHost = (host: TestHost) => host.forwarder.start();

  beforeAll(async () => {
    dir = await Deno.makeTempDir({ prefix: "docker-host-pool-" });
    hostA = engineAt(`${dir}/a.sock`);
    hostB = engineAt(`${dir}/b.sock`);
    startHost(hostA);
    startHost(hostB);
  });

  afterAll(async () => {
    await stopHost(hostA);
    await stopHost(hostB);
    await Deno.remove(dir, { recursive: true });
  });

  test("each slot goes to the least-loaded host; ties go to the first listed; a released slot is free again", async () => {
    const pool = new DockerHostPool([hostA, hostB], { capacity: 2, pingTimeoutMs: 1_500 });
    await pool.check();
    const first = await pool.acquire();
    const second = await pool.acquire();
    const third = await pool.acquire();
    expect([first.host, second.host, third.host].map((h) => h.name)).toEqual([
      hostA.name,
      hostB.name,
      hostA.name,
    ]);
    expect(pool.states().map((s) => [s.host, s.status, s.sandboxes, s.capacity])).toEqual([
      [hostA.name, "up", 2, 2],
      [hostB.name, "up", 1, 2],
    ]);
    first.release();
    first.release();
    expect(pool.states().map((s) => s.sandboxes)).toEqual([1, 1]);
    second.release();
    third.release();
  });

  test("a host that holds the environment comes first, until it is full", async () => {
    const pool = new DockerHostPool([hostA, hostB], { capacity: 1, pingTimeoutMs: 1_500 });
    const holdsImage = (host: PoolHost) => Promise.resolve(host === hostB);
    const first = await pool.acquire({ prefer: holdsImage });
    const second = await pool.acquire({ prefer: holdsImage });
    expect([first.host.name, second.host.name]).toEqual([hostB.name, hostA.name]);
    first.release();
    second.release();
  });

  test("a host that does not say whether it holds the environment is not preferred, and placement goes on", async () => {
    const pool = new DockerHostPool([hostA, hostB], { capacity: 1, pingTimeoutMs: 300 });
    const held = await pool.acquire();
    held.release();
    const blackHoled = (host: PoolHost) =>
      host === hostA ? new Promise<boolean>(() => {}) : Promise.resolve(false);
    const slot = await pool.acquire({ prefer: blackHoled });
    expect(slot.host.name).toBe(hostA.name);
    slot.release();
  });

  test("when every host is full the request waits, says so once, and takes the first slot freed", async () => {
    const pool = new DockerHostPool([hostA, hostB], { capacity: 1, pingTimeoutMs: 1_500 });
    const held = [await pool.acquire(), await pool.acquire()];
    let waits = 0;
    const waiting = pool.acquire({ onWait: () => Promise.resolve(void waits++) });
    const raced = await Promise.race([waiting.then(() => "placed"), Promise.resolve("waiting")]);
    expect(raced).toBe("waiting");
    held[1]!.release();
    const slot = await waiting;
    expect(slot.host.name).toBe(hostB.name);
    expect(waits).toBe(1);
    const stopped = new AbortController();
    const cancelled = pool.acquire({ signal: stopped.signal });
    stopped.abort(new Error("job cancelled"));
    await expect(cancelled).rejects.toThrow("job cancelled");
    held[0]!.release();
    slot.release();
  });

  test("a host that stops answering is marked down (said once) and skipped; it comes back when it answers again", async () => {
    const back: string[] = [];
    const down: string[] = [];
    const pool = new DockerHostPool([hostA, hostB], {
      capacity: 4,
      pingTimeoutMs: 1_500,
      onUp: (name) => Promise.resolve(void back.push(name)),
      onDown: (name, error) => void down.push(`${name}: ${error}`),
    });
    await stopHost(hostA);
    try {
      await pool.check();
      expect(await pool.confirmUp(hostA)).toBe(false);
      const states = await pool.check();
      expect(down).toEqual([expect.stringMatching(new RegExp(`^${hostA.name}: .*ENOENT`))]);
      expect(states[0]).toMatchObject({
        host: hostA.name,
        status: "down",
        error: expect.stringMatching(/ENOENT/),
      });
      expect(states[1]).toMatchObject({ host: hostB.name, status: "up" });
      const slots = [await pool.acquire(), await pool.acquire()];
      expect(slots.map((s) => s.host.name)).toEqual([hostB.name, hostB.name]);
      for (const s of slots) s.release();
    } finally {
      startHost(hostA);
    }
    expect(await pool.confirmUp(hostA)).toBe(true);
    expect(back).toEqual([hostA.name]);
    expect((await pool.acquire()).host.name).toBe(hostA.name);
  });

  test("with every host down, placement fails at once with a retryable error naming each host and why", async () => {
    const pool = new DockerHostPool([hostA, hostB], { capacity: 1, pingTimeoutMs: 1_500 });
    const held = [await pool.acquire(), await pool.acquire()];
    const waiting = pool.acquire();
    await stopHost(hostA);
    await stopHost(hostB);
    try {
      await pool.check();
      const error = await waiting.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoDockerHostError);
      expect((error as NoDockerHostError).retryable).toBe(true);
      expect((error as Error).message).toContain(`${hostA.name}: connect ENOENT ${hostA.socket}`);
      expect((error as Error).message).toContain(`${hostB.name}: connect ENOENT ${hostB.socket}`);
      await expect(pool.acquire()).rejects.toThrow(/every host of DOCKER_HOSTS is down/);
    } finally {
      startHost(hostA);
      startHost(hostB);
      for (const slot of held) slot.release();
    }
  });

  test("a failure on a host that no longer answers becomes DockerHostDownError naming it", async () => {
    const docker = new Docker({ socketPath: hostA.socket });
    const pool = new DockerHostPool([hostA], { capacity: 1, pingTimeoutMs: 1_500 });
    const guard = guardOf(pool, docker);
    await expect(onHost(guard, () => docker.getContainer("no-such-container-here").inspect())).rejects
      .toThrow(
        /no such container/i,
      );
    await stopHost(hostA);
    try {
      const error = await onHost(guard, () => docker.listContainers()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DockerHostDownError);
      expect(error).toMatchObject({ host: hostA.name, retryable: true });
      expect((error as Error).message).toContain(`Docker host ${hostA.name} stopped answering`);
      expect(String((error as Error).cause)).toMatch(/ENOENT/);
    } finally {
      startHost(hostA);
    }
  });

  test("a failure while the host answers but the sandbox's container was stopped under it becomes SandboxLostError", async () => {
    // As a Docker host shutting down does: its containers stop while its API still answers.
    const docker = new Docker({ socketPath: hostA.socket });
    const pool = new DockerHostPool([hostA], { capacity: 1, pingTimeoutMs: 1_500 });
    const guard = guardOf(pool, docker);
    const name = `host-guard-test-${crypto.randomUUID().slice(0, 8)}`;
    const container = await docker.createContainer({
      name,
      Image: SANDBOX_IMAGE,
      Cmd: ["sleep", "600"],
      Labels: { "backend-agent.test": "host-guard" },
      HostConfig: { NetworkMode: "none", AutoRemove: false },
    });
    const exec = () =>
      container.exec({ Cmd: ["true"], AttachStdout: true }).then((e) =>
        e.start({ hijack: true, stdin: false })
      );
    try {
      await container.start();
      // Running: a failure of the operation is its own.
      const own = await onHost(guard, () => Promise.reject(new Error("the tool failed")), name).catch((e) =>
        e
      );
      expect(own).toMatchObject({ message: "the tool failed" });
      await container.stop({ t: 0 });
      const stopped = await onHost(guard, exec, name).catch((e: unknown) => e);
      expect(stopped).toBeInstanceOf(SandboxLostError);
      expect(stopped).toMatchObject({ host: hostA.name, sandbox: name, retryable: true });
      expect((stopped as Error).message).toMatch(
        new RegExp(
          `^The sandbox ${name} on Docker host ${hostA.name} stopped under the work item \\(its container exited \\(exit \\d+\\) at `,
        ),
      );
      expect(String((stopped as Error).cause)).toMatch(/is not running/);
      await container.remove({ force: true });
      const removed = await onHost(guard, exec, name).catch((e: unknown) => e);
      expect((removed as Error).message).toContain("(its container was removed)");
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  });
});
