/**
 * A pool of two Docker hosts end to end: the default engine and a second dockerd of this test's own
 * (`scripts/second_engine.ts`, its own data root, exec root, socket and no default bridge), the
 * sandbox image moved to it with `docker save | docker load`, and the example's package index
 * served on both under one egress network name, so each host builds the environment it needs.
 * Host 2 is listed first, so a tie goes to it. Host 2 crashes (its dockerd killed) under a job: the
 * job goes back in the queue and runs again on host 1. Restarting it starts the same engine again.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXAMPLE_INDEX_HOST, EXAMPLE_PACKAGES } from "../../examples/example_index.ts";
import { taskStatsScenario } from "../../examples/scenarios/task_stats.ts";
import type { Scenario } from "../../examples/scenario.ts";
import { copyImage, type SecondEngine, startSecondEngine } from "../../scripts/second_engine.ts";
import { createDockerClient, DEFAULT_DOCKER_SOCKET } from "../../src/sandbox/docker_client.ts";
import { DEFAULT_SANDBOX_LIMITS, LABELS } from "../../src/sandbox/limits.ts";
import type { DockerHostState } from "../../src/contracts/docker_host_state.ts";
import { ENV_LABELS, envImageName } from "../../src/environments/environment_labels.ts";
import { PackageIndexFixture } from "../environments/package_index_fixture.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type FinishedJob, submitJob } from "./submit_job.ts";
import { costOverAttempts } from "./attempt_usage.ts";
import { holdOnEngine } from "./host_hold.ts";

const stats = taskStatsScenario.issues[0]!;

/**
 * Issues 12 to 15 ask for the same change (each on its own branch); 20 asks for it too, and holds
 * its sandbox in a sleep on host 2 (`host_hold.ts`).
 */
function scenarioWith(engine2Url: string): Scenario {
  const hold = holdOnEngine(engine2Url, 20);
  return {
    ...taskStatsScenario,
    issues: [...[12, 13, 14, 15].map((number) => ({ ...stats, number })), hold.issue],
    scripts: [hold.script, ...taskStatsScenario.scripts],
  };
}

const image = Deno.env.get("SANDBOX_IMAGE") ?? DEFAULT_SANDBOX_LIMITS.image;
const engine1Url = Deno.env.get("DOCKER_HOST") ?? `unix://${DEFAULT_DOCKER_SOCKET}`;
const engine1 = createDockerClient(engine1Url);

describe("a pool of two Docker hosts", () => {
  let engine2: SecondEngine;
  let harness: Harness;
  const indexes: PackageIndexFixture[] = [];

  const hostOf = (finished: FinishedJob) =>
    finished.events.flatMap((e) => e.kind === "sandbox" && e.data.host ? [e.data.host] : []);
  const readiness = async () => {
    const response = await fetch(`${harness.apiUrl}/readyz`);
    return {
      code: response.status,
      ...await response.json() as { status: string; hosts: DockerHostState[] },
    };
  };
  const submit = (issue: number) => submitJob(harness, { repo: taskStatsScenario.repo.fullName, issue });

  beforeAll(async () => {
    engine2 = await startSecondEngine();
    await copyImage(engine1, engine2.docker, image);
    const index1 = await PackageIndexFixture.start(engine1, {
      image,
      packages: EXAMPLE_PACKAGES,
      alias: EXAMPLE_INDEX_HOST,
    });
    indexes.push(index1);
    await engine2.docker.createNetwork({ Name: index1.network, Driver: "bridge" });
    indexes.push(
      await PackageIndexFixture.start(engine2.docker, {
        image,
        packages: EXAMPLE_PACKAGES,
        alias: EXAMPLE_INDEX_HOST,
        network: index1.network,
      }),
    );
    harness = await startHarness(scenarioWith(engine2.url), {
      env: {
        DOCKER_HOSTS: `${engine2.url},${engine1Url}`,
        SANDBOXES_PER_HOST: "1",
        DOCKER_HOSTS_PING_MS: "500",
        JOBS_CONCURRENCY: "2",
        PIP_INDEX_URL: index1.url(),
        SETUP_EGRESS_NETWORK: index1.network,
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
    for (const index of indexes) await index[Symbol.asyncDispose]();
    await engine2?.stop();
  });

  test("two jobs at once, one sandbox per host: they run on both hosts and both succeed", async () => {
    const [a, b] = await Promise.all([submit(12), submit(13)]);
    for (const finished of [a, b]) expect(finished.job.status, finished.job.reason).toBe("succeeded");
    expect(new Set([...hostOf(a), ...hostOf(b)])).toEqual(new Set([engine2.url, engine1Url]));
    // The job on host 2 built its environment there (host 2 started with none), under the same key.
    const onHost2 = hostOf(a)[0] === engine2.url ? a : b;
    const phases = onHost2.events.flatMap((e) => e.kind === "environment" ? [e.data] : []);
    expect(phases.map((p) => p.phase)).toEqual(["building", "built"]);
    const key = phases[1]!.key;
    const built = await engine2.docker.listImages({
      filters: JSON.stringify({ label: [`${ENV_LABELS.key}=${key}`] }),
    });
    expect(built.flatMap((i) => i.RepoTags ?? [])).toEqual([envImageName(key)]);
    // GET /v1/environments lists it once, though both hosts hold it.
    const listed = await (await fetch(`${harness.apiUrl}/v1/environments`)).json() as {
      environments: Array<{ key: string }>;
    };
    expect(listed.environments.filter((e) => e.key === key)).toHaveLength(1);
    const ready = await readiness();
    expect(ready.code).toBe(200);
    expect(ready.hosts.map((h) => [h.host, h.status, h.sandboxes, h.capacity])).toEqual([
      [engine2.url, "up", 0, 1],
      [engine1Url, "up", 0, 1],
    ]);
  });

  test("host 2 crashes under a job: the job goes back in the queue, saying why, and succeeds on host 1; its spend counts both attempts once", async () => {
    const held = submit(20);
    // Host 2 comes first on a tie: the job's sleep runs there.
    await waitFor(async () => {
      const [container] = await engine2.docker.listContainers({
        filters: JSON.stringify({ label: [`${LABELS.managed}=true`] }),
      });
      if (!container) return false;
      const top = await engine2.docker.getContainer(container.Id).top().catch(() => ({ Processes: [] }));
      return (top.Processes ?? []).some((p: string[]) => p.join(" ").includes("sleep 600"));
    });
    // A crash: the engine stops answering at once (a stop would first stop its containers while it
    // still answers, and the work item would fail on its own before the engine went away).
    await engine2.crash();
    const retried = await held;
    expect(hostOf(retried)).toEqual([engine2.url, engine1Url]);
    expect(retried.job.status, retried.job.reason).toBe("succeeded");
    const lost = `Docker host ${engine2.url} stopped answering`;
    const kinds = retried.events.map((e) => e.kind);
    expect(kinds.indexOf("error")).toBeLessThan(kinds.indexOf("retry"));
    expect(retried.events.find((e) => e.kind === "error")?.message).toContain(lost);
    expect(retried.events.filter((e) => e.kind === "retry").map((e) => e.data)).toEqual([
      { retry: 1, maxRetries: 2, reason: expect.stringContaining(`#20: ${lost}`) },
    ]);
    // One pull request for the work item, and the model calls of both attempts counted once each.
    const pulls = harness.github.pulls(taskStatsScenario.repo.fullName).filter((p) =>
      p.head.startsWith("agent/issue-20-")
    );
    expect(pulls).toHaveLength(1);
    const spent = costOverAttempts(retried.events);
    expect(spent.attempts).toBe(2);
    expect((retried.job.usage as { costUsd: number }).costUsd).toBeCloseTo(spent.costUsd, 6);

    await waitFor(async () => (await readiness()).hosts[0]!.status === "down");
    const ready = await readiness();
    expect(ready.code).toBe(200);
    expect(ready.hosts[0]).toMatchObject({ host: engine2.url, status: "down" });
    expect(ready.hosts[0]!.error).toMatch(/ENOENT|ECONNREFUSED/);
    expect(ready.hosts[1]).toMatchObject({ host: engine1Url, status: "up" });

    const next = await submit(14);
    expect(next.job.status, next.job.reason).toBe("succeeded");
    expect(hostOf(next)).toEqual([engine1Url]);
  });

  test("host 2 back: /readyz reports it up, the sandbox it lost is removed, and it takes jobs again", async () => {
    await engine2.restart();
    await waitFor(async () => (await readiness()).hosts[0]!.status === "up");
    const managed = JSON.stringify({ label: [`${LABELS.managed}=true`] });
    await waitFor(async () =>
      (await engine2.docker.listContainers({ all: true, filters: managed })).length === 0
    );
    expect((await engine2.docker.listVolumes({ filters: managed })).Volumes ?? []).toEqual([]);
    const again = await submit(15);
    expect(again.job.status, again.job.reason).toBe("succeeded");
    expect(hostOf(again)).toEqual([engine2.url]);
  });
});

/** Polls `check` every 200 ms until it holds (the test's own timeout bounds it). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 200));
}
