/**
 * A setup's life around the build, against the real engine and a package index served in Docker:
 * a built environment is returned before its parts are removed, and the removal handed on removes
 * them all; a seed that does not unpack fails naming it, leaving nothing; a spare egress pair that
 * is gone (the reaper took it) is not used, and the setup makes its own; the reaper removes a
 * setup's taken spare pair with the setup, and keeps both, however old, while the setup's job runs.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { EnvironmentBuilder } from "../../src/environments/environment_builder.ts";
import { SandboxError } from "../../src/errors.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { reapSandboxes } from "../../src/sandbox/reaper.ts";
import { SetupSession } from "../../src/environments/setup_session.ts";
import { SparePair } from "../../src/environments/spare_pair.ts";
import { docker, tarOf, testLimits } from "../sandbox/sandbox_fixture.ts";
import { setupPartsOf, testEnvironmentBuilder } from "./environment_fixture.ts";
import { PackageIndexFixture } from "./package_index_fixture.ts";

let index: PackageIndexFixture;
const images: string[] = [];

beforeAll(async () => {
  index = await PackageIndexFixture.start(docker, { image: testLimits().image });
});

afterAll(async () => {
  for (const image of images) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  await index?.[Symbol.asyncDispose]();
});

function builder(spareMaxAgeMs: number | null, client = docker): EnvironmentBuilder {
  return testEnvironmentBuilder(client, index, spareMaxAgeMs);
}

/** What {@link build} varies. */
interface BuildOptions {
  seed?: Uint8Array;
  defer?: (removal: Promise<void>) => void;
}

/** Prepares a new key's environment from `seed` (default: a requirements.txt needing the index's package). */
async function build(b: EnvironmentBuilder, options: BuildOptions = {}) {
  const text = `tinyjwt==1.0.0\n# ${crypto.randomUUID()}\n`;
  const name = `backend-agent-test-${crypto.randomUUID().slice(0, 8)}-env`;
  const result = await b.prepare({
    spec: {
      manifests: [{ path: "requirements.txt", sha256: createHash("sha256").update(text).digest("hex") }],
      plan: { kind: "pip", installs: [["-r", "requirements.txt"]] },
      sources: ["requirements.txt"],
      topLevelRequirements: ["tinyjwt"],
    },
    seed: options.seed ?? await tarOf({ "requirements.txt": text }),
    repo: "acme/lifecycle",
    name,
    labels: { "dev.backend-agent.test": "true" },
    report: () => Promise.resolve(),
    ...(options.defer ? { defer: options.defer } : {}),
  });
  images.push(result.image);
  return { result, name };
}

/** A docker client that records the name of every container it creates. */
function recording(): { client: typeof docker; created: string[] } {
  const created: string[] = [];
  const client = Object.create(docker) as typeof docker;
  client.createContainer = ((options: { name?: string }) => {
    created.push(options.name ?? "");
    return docker.createContainer(options);
  }) as typeof docker.createContainer;
  return { client, created };
}

/**
 * A setup running on a spare egress pair it took, for job `job`, left running (nothing disposes
 * it, as when the process dies). `base` is the pair's base name.
 */
async function setupOnTakenSpare(): Promise<{ job: string; name: string; base: string }> {
  const limits = testLimits({ memoryMb: 512, pidsLimit: 256 });
  const options = { allowlist: [index.host], limits, egressNetwork: index.network };
  const spare = new SparePair(docker, options, 600_000);
  await spare.replenish();
  const pair = (await spare.take())!;
  const job = crypto.randomUUID();
  const name = `backend-agent-test-${crypto.randomUUID().slice(0, 8)}-env`;
  await SetupSession.open(docker, {
    ...options,
    names: { ...pair.names, setup: name },
    labels: { "dev.backend-agent.test": "true", [LABELS.job]: job },
  }, pair);
  return { job, name, base: pair.names.proxy.replace(/-proxy$/, "") };
}

test("a built environment is returned before its setup is removed; the removal handed on removes every part", async () => {
  let removal: Promise<void> | undefined;
  const { result, name } = await build(builder(null), { defer: (r) => (removal = r) });
  expect(result).toMatchObject({ cacheHit: false, packages: 2 });
  expect(removal).toBeInstanceOf(Promise);
  await removal;
  expect(await setupPartsOf(name)).toEqual({ containers: [], networks: [] });
});

test("a seed that does not unpack fails naming the setup, and nothing is left", async () => {
  const error = await build(builder(null), { seed: new TextEncoder().encode("not a tar archive") })
    .catch((e) => e);
  expect(error).toBeInstanceOf(SandboxError);
  expect(error.message).toMatch(/^Cannot seed setup "backend-agent-test-[0-9a-f]{8}-env": .*tar/s);
  const [, setup] = error.message.match(/"([^"]+)"/);
  expect(await setupPartsOf(setup)).toEqual({ containers: [], networks: [] });
});

test("a spare egress pair the reaper removed is not used: the setup makes its own", async () => {
  const { client, created } = recording();
  const b = builder(600_000, client);
  try {
    await build(b);
    const spare = created.find((n) => n.startsWith("backend-agent-spare-"))!;
    expect(spare).toMatch(/-proxy$/);
    // As the reaper would: the spare's proxy and its internal network are removed.
    await docker.getContainer(spare).remove({ force: true });
    await docker.getNetwork(spare.replace(/-proxy$/, "-internal")).remove();
    const before = created.length;
    const { result, name } = await build(b);
    expect(result).toMatchObject({ cacheHit: false, packages: 2 });
    expect(created.slice(before)).toContain(`${name}-proxy`);
    expect(await setupPartsOf(name)).toEqual({ containers: [], networks: [] });
  } finally {
    await b.close();
  }
  const spares = created.filter((n) => n.startsWith("backend-agent-spare-"));
  for (const spare of spares) {
    expect(await setupPartsOf(spare.replace(/-proxy$/, ""))).toEqual({ containers: [], networks: [] });
  }
});

test("a setup that took the spare pair is reaped with it by its job's labels, as after a crash", async () => {
  // The process dies with the setup running: nothing disposes the session.
  const { job, name, base } = await setupOnTakenSpare();
  expect(await setupPartsOf(base)).toMatchObject({ containers: [`/${base}-proxy`] });
  // The pair carries no job's labels; the restarted service reaps by the interrupted job's.
  const reaped = await reapSandboxes(docker, { withLabels: { [LABELS.job]: job } });
  expect(reaped).toEqual([name, `${base}-proxy`, `${base}-internal`]);
  expect(await setupPartsOf(base)).toEqual({ containers: [], networks: [] });
  expect(await setupPartsOf(name)).toEqual({ containers: [], networks: [] });
});

test("an old setup on a taken spare pair keeps the pair while its job runs; both go once it has ended", async () => {
  const { job, name, base } = await setupOnTakenSpare();
  // The reaper sees only this setup's parts (the pair's carry no label to filter on), three hours on.
  const ours = new Set([name, `${base}-proxy`, `${base}-internal`, `${base}-egress`]);
  const mine = <T extends { Labels?: Record<string, string> | null }>(all: T[]) =>
    all.filter((r) => ours.has(r.Labels?.[LABELS.sandbox] ?? ""));
  const scoped = Object.create(docker) as typeof docker;
  scoped.listContainers =
    (async (o: object) => mine(await docker.listContainers(o))) as typeof docker.listContainers;
  scoped.listNetworks =
    (async (o: object) => mine(await docker.listNetworks(o))) as typeof docker.listNetworks;
  scoped.listVolumes = (() => Promise.resolve({ Volumes: [], Warnings: [] })) as typeof docker.listVolumes;
  const later = () => Date.now() + 3 * 60 * 60_000;
  const reap = (running: boolean) =>
    reapSandboxes(scoped, {
      olderThanMs: 60 * 60_000,
      now: later,
      isLive: (id) => Promise.resolve(running && id === job),
    });
  expect(await reap(true)).toEqual([]);
  expect(await setupPartsOf(base)).toMatchObject({ containers: [`/${base}-proxy`] });
  expect((await setupPartsOf(name)).containers).toEqual([`/${name}`]);
  expect((await reap(false)).sort()).toEqual([name, `${base}-internal`, `${base}-proxy`].sort());
  expect(await setupPartsOf(base)).toEqual({ containers: [], networks: [] });
  expect(await setupPartsOf(name)).toEqual({ containers: [], networks: [] });
});
