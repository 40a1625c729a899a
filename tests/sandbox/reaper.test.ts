import { afterAll, describe, expect, test } from "vitest";
import { LABELS } from "../../src/sandbox/limits.ts";
import { reapSandboxes } from "../../src/sandbox/reaper.ts";
import { docker, testLimits } from "./sandbox_fixture.ts";

const HOUR = 60 * 60 * 1000;
const made: string[] = [];
/** Only this file's leftovers are ever reaped, whatever else runs on the engine meanwhile. */
const RUN = { "dev.backend-agent.test-run": crypto.randomUUID() };

/** Leaves a labelled container and volume behind, as a process killed mid-job would. */
async function leftover(createdAt: number | undefined, job?: string): Promise<string> {
  const name = `backend-agent-test-reap-${crypto.randomUUID().slice(0, 8)}`;
  made.push(name);
  const labels = (sandbox: string): Record<string, string> => ({
    [LABELS.managed]: "true",
    [LABELS.sandbox]: sandbox,
    ...RUN,
    ...(job === undefined ? {} : { [LABELS.job]: job }),
    ...(createdAt === undefined ? {} : { [LABELS.createdAt]: String(createdAt) }),
  });
  await docker.createVolume({ Name: `${name}-workspace`, Labels: labels(`${name}-workspace`) });
  const container = await docker.createContainer({
    name,
    Image: testLimits().image,
    Cmd: ["sleep", "infinity"],
    Labels: labels(name),
    HostConfig: {
      NetworkMode: "none",
      Mounts: [{ Type: "volume", Source: `${name}-workspace`, Target: "/workspace" }],
    },
  });
  await container.start();
  return name;
}

async function exists(name: string): Promise<{ container: boolean; volume: boolean }> {
  const container = await docker.getContainer(name).inspect().then(() => true, () => false);
  const volume = await docker.getVolume(`${name}-workspace`).inspect().then(() => true, () => false);
  return { container, volume };
}

afterAll(async () => {
  for (const name of made) {
    await docker.getContainer(name).remove({ force: true }).catch(() => undefined);
    await docker.getVolume(`${name}-workspace`).remove({ force: true }).catch(() => undefined);
  }
});

describe("the reaper", () => {
  test("removes a crashed process's container and volume older than the threshold and keeps younger ones", async () => {
    // Younger than the services' default threshold (1 h), so only this reaper may take it, even while
    // a service started by another test file reaps the engine's old leftovers.
    const old = await leftover(Date.now() - 30 * 60_000);
    const young = await leftover(Date.now() - 60_000);
    const removed = await reapSandboxes(docker, { olderThanMs: 10 * 60_000, withLabels: RUN });
    expect(removed.sort()).toEqual([old, `${old}-workspace`]);
    expect(await exists(old)).toEqual({ container: false, volume: false });
    expect(await exists(young)).toEqual({ container: true, volume: true });
  });

  test("without a created-at label, the engine's creation time decides", async () => {
    const unlabelled = await leftover(undefined);
    const keep = new Set(made.filter((n) => n !== unlabelled));
    expect(await reapSandboxes(docker, { olderThanMs: HOUR, withLabels: RUN, keep })).toEqual([]);
    expect(await exists(unlabelled)).toEqual({ container: true, volume: true });
    const later = () => Date.now() + 2 * HOUR;
    const removed = await reapSandboxes(docker, { olderThanMs: HOUR, now: later, withLabels: RUN, keep });
    expect(removed.sort()).toEqual([unlabelled, `${unlabelled}-workspace`]);
  });

  test("leaves alone the sandboxes this process says it is using", async () => {
    const inUse = await leftover(Date.now() - 3 * HOUR);
    const removed = await reapSandboxes(docker, {
      olderThanMs: HOUR,
      withLabels: RUN,
      keep: new Set([inUse]),
    });
    expect(removed).toEqual([]);
    expect(await exists(inUse)).toEqual({ container: true, volume: true });
  });

  test("keeps an old sandbox whose job still runs, on any replica, and removes it once the job has ended", async () => {
    const running = crypto.randomUUID();
    const ended = crypto.randomUUID();
    const long = await leftover(Date.now() - 3 * HOUR, running);
    const done = await leftover(Date.now() - 3 * HOUR, ended);
    const asked: string[] = [];
    const isLive = (job: string) => {
      asked.push(job);
      return Promise.resolve(job === running);
    };
    // Earlier tests' leftovers are not this test's.
    const keep = new Set(made.filter((n) => n !== long && n !== done));
    const removed = await reapSandboxes(docker, { olderThanMs: HOUR, withLabels: RUN, keep, isLive });
    expect(removed.sort()).toEqual([done, `${done}-workspace`]);
    expect(await exists(long)).toEqual({ container: true, volume: true });
    expect(await exists(done)).toEqual({ container: false, volume: false });
    // Asked once per job, not once per resource.
    expect(asked.filter((j) => j === running)).toHaveLength(1);
    const afterwards = await reapSandboxes(docker, {
      olderThanMs: HOUR,
      withLabels: RUN,
      keep,
      isLive: () => Promise.resolve(false),
    });
    expect(afterwards.sort()).toEqual([long, `${long}-workspace`]);
  });

  test("a job whose state cannot be read counts as running: nothing is removed on a guess", async () => {
    const unknown = await leftover(Date.now() - 3 * HOUR, crypto.randomUUID());
    const removed = await reapSandboxes(docker, {
      olderThanMs: HOUR,
      withLabels: RUN,
      keep: new Set(made.filter((n) => n !== unknown)),
      isLive: () => Promise.reject(new Error("database unreachable")),
    });
    expect(removed).toEqual([]);
    expect(await exists(unknown)).toEqual({ container: true, volume: true });
  });
});
