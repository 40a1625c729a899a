/**
 * Two replicas (real processes) on one PostgreSQL and two Docker hosts together: the default engine
 * and a second dockerd of this test's own (`scripts/second_engine.ts`), the sandbox image moved to it
 * and the example package index served on both under one egress network name. Eight jobs spread
 * over both hosts and succeed; then host 2 crashes under a job: the job goes back in the queue and
 * succeeds on host 1, and once both replicas see host 2 down, new jobs land on host 1 and succeed.
 * At the end no sandbox is left on either host.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXAMPLE_INDEX_HOST, EXAMPLE_PACKAGES } from "../../examples/example_index.ts";
import { copyImage, type SecondEngine, startSecondEngine } from "../../scripts/second_engine.ts";
import type { JobEvent } from "../../src/contracts/job_events.ts";
import { createDockerClient, DEFAULT_DOCKER_SOCKET } from "../../src/sandbox/docker_client.ts";
import { DEFAULT_SANDBOX_LIMITS, LABELS } from "../../src/sandbox/limits.ts";
import { PackageIndexFixture } from "../environments/package_index_fixture.ts";
import { fetchEvents, waitForJob } from "../e2e/harness.ts";
import { type Cluster, startCluster } from "./cluster_fixture.ts";
import { holdOnEngine } from "../e2e/host_hold.ts";
import type { ReplicaProcess } from "./replica_process.ts";

const image = Deno.env.get("SANDBOX_IMAGE") ?? DEFAULT_SANDBOX_LIMITS.image;
const engine1Url = Deno.env.get("DOCKER_HOST") ?? `unix://${DEFAULT_DOCKER_SOCKET}`;
const engine1 = createDockerClient(engine1Url);
const HOLD_ISSUE = 90;
const MANAGED = JSON.stringify({ label: [`${LABELS.managed}=true`] });

/** The Docker hosts job `id`'s sandboxes ran on, in order. */
async function hostsOf(replica: ReplicaProcess, id: string): Promise<string[]> {
  const events: JobEvent[] = await fetchEvents(replica.url, id, 0);
  return events.flatMap((e) => e.kind === "sandbox" && e.data.host ? [e.data.host] : []);
}

/** Polls `check` every 200 ms until it holds (the test's own timeout bounds it). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 200));
}

describe("two replicas and two Docker hosts on one PostgreSQL", () => {
  let engine2: SecondEngine;
  let index2: PackageIndexFixture | undefined;
  let cluster: Cluster;
  let a: ReplicaProcess;
  let b: ReplicaProcess;
  const ids: string[] = [];

  beforeAll(async () => {
    engine2 = await startSecondEngine();
    await copyImage(engine1, engine2.docker, image);
    const hold = holdOnEngine(engine2.url, HOLD_ISSUE);
    cluster = await startCluster({
      copies: 7,
      extra: { issues: [hold.issue], scripts: [hold.script] },
      sockets: [new URL(engine2.url).pathname],
    });
    await engine2.docker.createNetwork({ Name: cluster.egressNetwork, Driver: "bridge" });
    index2 = await PackageIndexFixture.start(engine2.docker, {
      image,
      packages: EXAMPLE_PACKAGES,
      alias: EXAMPLE_INDEX_HOST,
      network: cluster.egressNetwork,
    });
    // One slot per host, counted over both replicas (host_slots): a work item goes to the other host
    // whichever holds the environment, or waits. Host 2 is listed first: a tie goes to it.
    const env = {
      DOCKER_HOSTS: `${engine2.url},${engine1Url}`,
      SANDBOXES_PER_HOST: "1",
      DOCKER_HOSTS_PING_MS: "500",
      JOBS_CONCURRENCY: "2",
    };
    a = await cluster.replica("replica-a", env);
    b = await cluster.replica("replica-b", env);
  });

  afterAll(async () => {
    await cluster?.close();
    await index2?.[Symbol.asyncDispose]();
    await engine2?.stop();
  });

  test("eight jobs over two replicas and two hosts all succeed, spread over both hosts", async () => {
    const batch: string[] = [];
    for (const [i, issue] of cluster.issues.entries()) batch.push(await cluster.submit(i % 2 ? b : a, issue));
    ids.push(...batch);
    const jobs = await Promise.all(batch.map((id) => waitForJob(a.url, id, { timeoutMs: 240_000 })));
    expect(jobs.map((job) => [job.status, job.reason])).toEqual(batch.map(() => ["succeeded", undefined]));
    expect(cluster.github.pulls(cluster.scenario.repo.fullName)).toHaveLength(8);
    const hosts = await Promise.all(batch.map((id) => hostsOf(b, id)));
    expect(hosts.every((list) => list.length === 1)).toBe(true);
    expect(new Set(hosts.flat())).toEqual(new Set([engine2.url, engine1Url]));
  });

  test("host 2 crashes under a job: the job goes back in the queue and succeeds on host 1", async () => {
    const held = await cluster.submit(a, HOLD_ISSUE);
    ids.push(held);
    await waitFor(async () => {
      const [container] = await engine2.docker.listContainers({ filters: MANAGED });
      if (!container) return false;
      const top = await engine2.docker.getContainer(container.Id).top().catch(() => ({ Processes: [] }));
      return (top.Processes ?? []).some((p: string[]) => p.join(" ").includes("sleep 600"));
    });
    await engine2.crash();
    const retried = await waitForJob(b.url, held, { timeoutMs: 240_000 });
    const events: JobEvent[] = await fetchEvents(b.url, held, 0);
    console.log(
      `events of job ${held}, retried:\n` +
        events.filter((e) => e.kind !== "tool" && e.kind !== "usage")
          .map((e) => `  ${e.seq} ${e.at} ${e.kind}: ${e.message}`).join("\n"),
    );
    expect(retried.status, String(retried.reason)).toBe("succeeded");
    // The first attempt ran on host 2, the last on host 1. A replica that has not seen host 2 go down
    // yet may place a retry there once more: each retry names host 2.
    const hosts = await hostsOf(a, held);
    expect([hosts[0], hosts.at(-1)]).toEqual([engine2.url, engine1Url]);
    const retries = events.filter((e) => e.kind === "retry");
    expect(retries.length).toBe(hosts.length - 1);
    for (const retry of retries) {
      expect(retry.data).toMatchObject({ reason: expect.stringContaining(`Docker host ${engine2.url}`) });
    }
    const pulls = cluster.github.pulls(cluster.scenario.repo.fullName);
    expect(pulls.filter((pull) => pull.head.startsWith(`agent/issue-${HOLD_ISSUE}-`))).toHaveLength(1);
  });

  test("host 2 down: both replicas see it, and new jobs land on host 1 and succeed", async () => {
    for (const replica of [a, b]) {
      await waitFor(async () => {
        const ready = await (await fetch(`${replica.url}/readyz`)).json() as {
          hosts: Array<{ host: string; status: string }>;
        };
        return ready.hosts.find((h) => h.host === engine2.url)?.status === "down";
      });
    }
    const next = [await cluster.submit(a, cluster.issues[0]!), await cluster.submit(b, cluster.issues[1]!)];
    ids.push(...next);
    const jobs = await Promise.all(next.map((id) => waitForJob(a.url, id, { timeoutMs: 240_000 })));
    expect(jobs.map((job) => [job.status, job.reason])).toEqual([["succeeded", undefined], [
      "succeeded",
      undefined,
    ]]);
    for (const id of next) expect(await hostsOf(b, id)).toEqual([engine1Url]);
  });

  test("no sandbox is left on either host, host 2 started again", async () => {
    for (const id of ids) {
      expect({ id, containers: await cluster.containersOf(id) }).toEqual({ id, containers: [] });
    }
    await engine2.restart();
    await waitFor(async () =>
      (await engine2.docker.listContainers({ all: true, filters: MANAGED })).length === 0
    );
    expect((await engine2.docker.listVolumes({ filters: MANAGED })).Volumes ?? []).toEqual([]);
  });
});
