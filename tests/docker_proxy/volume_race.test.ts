import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readProxyConfig } from "../../src/docker_proxy/config.ts";
import { createOwnership, type Ownership } from "../../src/docker_proxy/ownership.ts";
import { buildCreateBody, buildVolumeBody } from "../../src/sandbox/hardening.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { testLimits } from "../sandbox/sandbox_fixture.ts";
import {
  containerExists,
  direct,
  type ProxyUnderTest,
  refusalOf,
  startTestProxy,
  uniqueName,
  volumeExists,
} from "./proxy_fixture.ts";

/** Only this file's resources count against the cap, whatever other files create on the engine meanwhile. */
const RUN = { "dev.backend-agent.test-run": crypto.randomUUID() };
const TEST_LABELS = { "dev.backend-agent.test": "true", ...RUN };
const RUN_FILTER = JSON.stringify({
  label: [`dev.backend-agent.test-run=${RUN["dev.backend-agent.test-run"]}`],
});
/** Every volume and container this file names starts with it. */
const PREFIX = `backend-agent-test-proxy-race-${RUN["dev.backend-agent.test-run"].slice(0, 8)}`;
const ROUNDS = 24;

/** Every volume on the engine whose name starts with {@link PREFIX}, labelled or not (`docker volume ls`). */
async function ourVolumes(): Promise<Array<{ Name: string; Labels: Record<string, string> | null }>> {
  const all = (await direct.listVolumes({ filters: JSON.stringify({ name: [PREFIX] }) })).Volumes ?? [];
  return all.filter((v) => v.Name.startsWith(PREFIX));
}

async function removeEverythingOurs(): Promise<void> {
  const containers = await direct.listContainers({ all: true, filters: RUN_FILTER });
  for (const info of containers) {
    await direct.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
  }
  for (const v of await ourVolumes()) {
    await direct.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
  }
}

/**
 * The engine's own look-ups, reporting when a volume is first looked up (by whichever of a create or a
 * delete reached the proxy first), so the other can be sent into the gap between that check and the call.
 */
function watchedOwnership(): { ownership: Ownership; firstLookup(name: string): Promise<void> } {
  const real = createOwnership(readProxyConfig({}).upstreamSocket);
  const seen = new Map<string, PromiseWithResolvers<void>>();
  const entry = (name: string) => {
    if (!seen.has(name)) seen.set(name, Promise.withResolvers<void>());
    return seen.get(name)!;
  };
  return {
    ownership: {
      ...real,
      async volume(name, fresh) {
        try {
          return await real.volume(name, fresh);
        } finally {
          entry(name).resolve();
        }
      },
    },
    firstLookup: (name) => entry(name).promise,
  };
}

describe("deleting a volume while a create that mounts it is in flight leaves no unlabelled volume", () => {
  let under: ProxyUnderTest;
  let watched: ReturnType<typeof watchedOwnership>;

  beforeAll(() => {
    watched = watchedOwnership();
    under = startTestProxy({ PROXY_MAX_SANDBOXES: String(ROUNDS * 2) }, RUN, watched.ownership);
  });

  afterAll(async () => {
    await removeEverythingOurs();
    await under?.proxy.close();
  });

  test(`${ROUNDS} creates racing ${ROUNDS} deletes of the volume they mount: each pair ends one clean way`, async () => {
    // A third of the deletes are sent once the create has checked the volume (while creates queue for the
    // engine one at a time: the gap the attack used), a third the other way round, a third at once.
    const orders = ["create first", "delete first", "at once"] as const;
    const rounds = Array.from({ length: ROUNDS }, (_, i) => ({
      volume: `${PREFIX}-vol-${i}`,
      container: `${PREFIX}-box-${i}`,
      order: orders[i % orders.length]!,
    }));
    for (const r of rounds) {
      await under.docker.createVolume(buildVolumeBody(r.volume, testLimits(), TEST_LABELS));
    }
    const outcomes = await Promise.all(rounds.map(async (r) => {
      const body = buildCreateBody(
        { name: r.container, volume: r.volume, labels: TEST_LABELS },
        testLimits(),
      );
      const createIt = () => under.docker.createContainer(body);
      const deleteIt = () => under.docker.getVolume(r.volume).remove();
      let create: Promise<unknown>;
      let remove: Promise<unknown>;
      if (r.order === "create first") {
        create = createIt();
        await watched.firstLookup(r.volume);
        remove = deleteIt();
      } else if (r.order === "delete first") {
        remove = deleteIt();
        await watched.firstLookup(r.volume);
        create = createIt();
      } else {
        [create, remove] = [createIt(), deleteIt()];
      }
      const [created, removed] = await Promise.allSettled([create, remove]);
      return { ...r, create: created, remove: removed };
    }));

    const created = outcomes.filter((o) => o.create.status === "fulfilled");
    for (const o of outcomes) {
      if (o.order === "create first") expect(o.create.status, o.volume).toBe("fulfilled");
      if (o.order === "delete first") expect(o.remove.status, o.volume).toBe("fulfilled");
      if (o.create.status === "fulfilled") {
        // The create won: the delete waited for it, and the engine refused to remove a volume in use.
        expect(o.remove.status).toBe("rejected");
        expect((o.remove as PromiseRejectedResult).reason.statusCode).toBe(409);
        expect((o.remove as PromiseRejectedResult).reason.json.message).toMatch(/volume is in use/);
        expect(await volumeExists(o.volume)).toBe(true);
      } else {
        // The delete won: the create was refused before the engine saw it, naming the missing volume.
        expect(o.remove.status).toBe("fulfilled");
        const refusal = await refusalOf(Promise.reject(o.create.reason));
        expect(refusal.status).toBe(403);
        expect(refusal.message).toMatch(
          /HostConfig\.Mounts\[0\]\.Source ".*" is not an existing volume with dev\.backend-agent\.managed=true/,
        );
        expect(await containerExists(o.container)).toBe(false);
        expect(await volumeExists(o.volume)).toBe(false);
      }
    }

    // `docker volume ls`: every volume left is a labelled, managed one, and the counts agree.
    const volumes = await ourVolumes();
    expect(volumes.filter((v) => v.Labels?.[LABELS.managed] !== "true").map((v) => v.Name)).toEqual([]);
    expect(volumes.map((v) => v.Name).sort()).toEqual(created.map((o) => o.volume).sort());
    const containers = await direct.listContainers({ all: true, filters: RUN_FILTER });
    expect(containers).toHaveLength(created.length);
    const counted = await under.docker.listVolumes({ filters: RUN_FILTER });
    expect(counted.Volumes).toHaveLength(created.length);
  });
});

describe("a create is checked against the engine, not a remembered answer", () => {
  let under: ProxyUnderTest;
  const volume = uniqueName("gone");

  beforeAll(() => {
    under = startTestProxy({ PROXY_MAX_SANDBOXES: "64" }, RUN);
  });

  afterAll(async () => {
    await removeEverythingOurs();
    await direct.getVolume(volume).remove({ force: true }).catch(() => undefined);
    await under?.proxy.close();
  });

  test("a volume removed behind the proxy's back is refused, and the engine never auto-creates it", async () => {
    await under.docker.createVolume(buildVolumeBody(volume, testLimits(), TEST_LABELS));
    const first = await under.docker.createContainer(
      buildCreateBody({ name: uniqueName("first"), volume, labels: TEST_LABELS }, testLimits()),
    );
    await direct.getContainer(first.id).remove({ force: true });
    await direct.getVolume(volume).remove();
    const name = uniqueName("second");
    const refusal = await refusalOf(
      under.docker.createContainer(buildCreateBody({ name, volume, labels: TEST_LABELS }, testLimits())),
    );
    expect(refusal.status).toBe(403);
    expect(refusal.message).toMatch(/HostConfig\.Mounts\[0\]\.Source ".*" is not an existing volume/);
    expect(await containerExists(name)).toBe(false);
    expect(await volumeExists(volume)).toBe(false);
  });
});

describe("a container whose volume the engine made during the create is removed, with that volume", () => {
  let under: ProxyUnderTest;
  const volume = uniqueName("vanishing");

  beforeAll(() => {
    // The volume disappears behind the proxy's back right after its check (as if removed on the engine
    // directly), so the engine creates an unlabelled one when it creates the container.
    const real = createOwnership(readProxyConfig({}).upstreamSocket);
    let removed = false;
    const ownership: Ownership = {
      ...real,
      async volume(name, fresh) {
        const managed = await real.volume(name, fresh);
        if (name === volume && !removed) {
          removed = true;
          await direct.getVolume(volume).remove();
        }
        return managed;
      },
    };
    under = startTestProxy({ PROXY_MAX_SANDBOXES: "64" }, RUN, ownership);
  });

  afterAll(async () => {
    await removeEverythingOurs();
    await direct.getVolume(volume).remove({ force: true }).catch(() => undefined);
    await under?.proxy.close();
  });

  test("the create is refused with 409 naming the volume, and neither the container nor the volume is left", async () => {
    await under.docker.createVolume(buildVolumeBody(volume, testLimits(), TEST_LABELS));
    const name = uniqueName("orphan");
    const refusal = await refusalOf(
      under.docker.createContainer(buildCreateBody({ name, volume, labels: TEST_LABELS }, testLimits())),
    );
    expect(refusal.status).toBe(409);
    expect(refusal.message).toBe(
      `docker-proxy: POST /containers/create refused: the engine mounted volume "${volume}", which does not ` +
        `carry ${LABELS.managed}=true (the engine made it during the create: removed meanwhile, or declared by ` +
        "the image); the container and that volume were removed",
    );
    expect(await containerExists(name)).toBe(false);
    expect(await volumeExists(volume)).toBe(false);
    expect(JSON.parse(under.audit.at(-1)!)).toMatchObject({ status: 409, path: "/containers/create" });
  });
});
