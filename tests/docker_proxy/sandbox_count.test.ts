import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildCreateBody, buildVolumeBody } from "../../src/sandbox/hardening.ts";
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
const LABELS = { "dev.backend-agent.test": "true", ...RUN };
const RUN_FILTER = JSON.stringify({
  label: [`dev.backend-agent.test-run=${RUN["dev.backend-agent.test-run"]}`],
});

describe("PROXY_MAX_SANDBOXES bounds how many sandboxes exist", () => {
  let under: ProxyUnderTest;
  const volume = uniqueName("countvol");

  beforeAll(async () => {
    under = startTestProxy({ PROXY_MAX_SANDBOXES: "2" }, RUN);
    await under.docker.createVolume(buildVolumeBody(volume, testLimits(), LABELS));
  });

  afterAll(async () => {
    for (const info of await direct.listContainers({ all: true, filters: RUN_FILTER })) {
      await direct.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
    }
    for (const v of (await direct.listVolumes({ filters: RUN_FILTER })).Volumes ?? []) {
      await direct.getVolume(v.Name).remove({ force: true }).catch(() => undefined);
    }
    await under?.proxy.close();
  });

  /** Creates (does not start) a sandbox container through the proxy. */
  function create(name: string): Promise<Docker.Container> {
    return under.docker.createContainer(buildCreateBody({ name, volume, labels: LABELS }, testLimits()));
  }

  async function removeAllOurs(): Promise<void> {
    for (const info of await direct.listContainers({ all: true, filters: RUN_FILTER })) {
      await under.docker.getContainer(info.Id).remove({ force: true });
    }
  }

  test("the create past the cap gets 429 naming the limit; after a removal a create passes again", async () => {
    const first = await create(uniqueName("count-a"));
    await create(uniqueName("count-b"));
    const third = uniqueName("count-c");
    const refusal = await refusalOf(create(third));
    expect(refusal).toEqual({
      status: 429,
      message: "docker-proxy: POST /containers/create refused: PROXY_MAX_SANDBOXES=2 managed containers " +
        "already exist (2); remove one first",
    });
    expect(await containerExists(third)).toBe(false);
    expect(JSON.parse(under.audit.at(-1)!)).toMatchObject({
      event: "docker_proxy_refused",
      method: "POST",
      path: "/containers/create",
      status: 429,
      reason: refusal.message,
    });
    await under.docker.getContainer(first.id).remove({ force: true });
    await create(third);
    expect(await containerExists(third)).toBe(true);
  });

  test("concurrent creates cannot slip past the cap together", async () => {
    await removeAllOurs();
    const names = [1, 2, 3, 4, 5].map((i) => uniqueName(`race-${i}`));
    const results = await Promise.allSettled(names.map((name) => create(name)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    for (const r of results) {
      if (r.status === "rejected") expect((r.reason as { statusCode?: number }).statusCode).toBe(429);
    }
    expect(await direct.listContainers({ all: true, filters: RUN_FILTER })).toHaveLength(2);
  });

  test("managed volumes are capped the same way", async () => {
    await under.docker.createVolume(buildVolumeBody(uniqueName("countvol-2"), testLimits(), LABELS));
    const name = uniqueName("countvol-3");
    const refusal = await refusalOf(under.docker.createVolume(buildVolumeBody(name, testLimits(), LABELS)));
    expect(refusal.status).toBe(429);
    expect(refusal.message).toMatch(
      /^docker-proxy: POST \/volumes\/create refused: PROXY_MAX_SANDBOXES=2 managed volumes already exist/,
    );
    expect(await volumeExists(name)).toBe(false);
  });
});
