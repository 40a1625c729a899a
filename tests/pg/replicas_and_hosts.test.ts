/**
 * Two replicas (real processes) on one PostgreSQL and two Docker hosts together: the default engine
 * and a second dockerd of this test's own (`scripts/second_engine.ts`), the sandbox image moved to it
 * and the example package index served on both under one egress network name. Eight jobs spread
 * over both hosts and succeed; then host 2 stops: once both replicas see it down, new jobs land on
 * host 1 and succeed. At the end no sandbox is left on either host.
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
import type { ReplicaProcess } from "./replica_process.ts";

const image = Deno.env.get("SANDBOX_IMAGE") ?? DEFAULT_SANDBOX_LIMITS.image;
const engine1Url = Deno.env.get("DOCKER_HOST") ?? `unix://${DEFAULT_DOCKER_SOCKET}`;
const engine1 = createDockerClient(engine1Url);
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
    cluster = await startCluster({ copies: 7, sockets: [new URL(engine2.url).pathname] });
    await engine2.docker.createNetwork({ Name: cluster.egressNetwork, Driver: "bridge" });
    index2 = await PackageIndexFixture.start(engine2.docker, {
      image,
      packages: EXAMPLE_PACKAGES,
      alias: EXAMPLE_INDEX_HOST,
      network: cluster.egressNetwork,
    });
    // Each replica counts its own sandboxes per host: one each, so a replica's second job goes to
    // the other host whichever holds the environment. Host 2 is listed first: a tie goes to it.
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

  test("host 2 stops: both replicas see it down, and new jobs land on host 1 and succeed", async () => {
    await engine2.halt();
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
