/**
 * The environment image cache on the real engine: listing by label, least-recently-used pruning
 * to `ENV_CACHE_MAX` (last use from the record, else the build time), never the image just used
 * and never one a container still runs from; and the SQLite record of last uses.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { ENV_LABELS, envImageName } from "../../src/environments/environment_labels.ts";
import { memoryEnvironmentUses } from "../../src/environments/environment_uses.ts";
import { EnvironmentCache } from "../../src/environments/image_cache.ts";
import { openSqliteEnvironmentUses } from "../../src/jobs/sqlite_environment_uses.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { docker, testLimits } from "../sandbox/sandbox_fixture.ts";

const RUN = crypto.randomUUID().slice(0, 8);
const repo = `acme/cache-${RUN}`;
const keys = ["1", "2", "3", "4"].map((c) => (c + RUN).padEnd(64, "0").replace(/[^0-9a-f]/g, "0"));
let holder: string | undefined;

/** Commits a tiny container as an environment image of `key`, built at `created`. */
async function fakeEnvironment(key: string, created: string): Promise<void> {
  const container = await docker.createContainer({
    Image: testLimits().image,
    Cmd: ["true"],
    Labels: { "dev.backend-agent.test": "true" },
    HostConfig: { NetworkMode: "none" },
  });
  try {
    await container.commit({
      _query: { container: container.id, repo: "backend-agent/env", tag: key },
      _body: {
        Labels: {
          [LABELS.managed]: "true",
          [ENV_LABELS.repo]: repo,
          [ENV_LABELS.key]: key,
          [ENV_LABELS.created]: created,
          [ENV_LABELS.size]: "1234",
          [ENV_LABELS.packages]: "3",
        },
      },
    });
  } finally {
    await container.remove({ force: true });
  }
}

beforeAll(async () => {
  await fakeEnvironment(keys[0]!, "2026-01-01T00:00:00.000Z");
  await fakeEnvironment(keys[1]!, "2026-01-02T00:00:00.000Z");
  await fakeEnvironment(keys[2]!, "2026-01-03T00:00:00.000Z");
  await fakeEnvironment(keys[3]!, "2026-01-04T00:00:00.000Z");
});

afterAll(async () => {
  if (holder) await docker.getContainer(holder).remove({ force: true }).catch(() => undefined);
  for (const key of keys) {
    await docker.getImage(envImageName(key)).remove({ force: true }).catch(() => undefined);
  }
});

const ours = (list: Array<{ repo: string; key: string }>) =>
  list.filter((e) => e.repo === repo).map((e) => e.key);

test("pruning removes the least recently used first, never the one just used nor one in use", async () => {
  const uses = memoryEnvironmentUses();
  const cache = new EnvironmentCache(docker, uses);
  // Used: 1 recently, 2 long ago; 3 and 4 never (their build times count).
  await cache.touch(keys[0]!, "2026-02-01T00:00:00.000Z");
  await cache.touch(keys[1]!, "2026-01-05T00:00:00.000Z");
  expect(ours(await cache.list())).toEqual([keys[0], keys[1], keys[3], keys[2]]);
  const [listed] = (await cache.list()).filter((e) => e.key === keys[0]);
  expect(listed).toMatchObject({
    image: envImageName(keys[0]!),
    createdAt: "2026-01-01T00:00:00.000Z",
    sizeBytes: 1234,
    packages: 3,
    lastUsedAt: "2026-02-01T00:00:00.000Z",
  });
  // A container still runs from 3, the least recently used: it is left for a later prune.
  const running = await docker.createContainer({
    Image: envImageName(keys[2]!),
    Cmd: ["sleep", "60"],
    Labels: { "dev.backend-agent.test": "true" },
    HostConfig: { NetworkMode: "none" },
  });
  holder = running.id;
  const others = (await cache.list()).filter((e) => e.repo !== repo).length;
  const removed = await cache.prune(others + 3, keys[1]!);
  expect(removed).toEqual([keys[3]]);
  expect(ours(await cache.list())).toEqual([keys[0], keys[1], keys[2]]);
  expect((await uses.lastUses()).has(keys[3]!)).toBe(false);
});

test("the last uses survive a restart in the job store's file, and only move forward", async () => {
  const dir = await Deno.makeTempDir({ prefix: "backend-agent-uses-" });
  try {
    const first = openSqliteEnvironmentUses(`${dir}/jobs.sqlite`);
    await first.touch("a", "2026-01-02T00:00:00.000Z");
    await first.touch("a", "2026-01-01T00:00:00.000Z");
    await first.touch("b", "2026-01-03T00:00:00.000Z");
    first.close();
    const again = openSqliteEnvironmentUses(`${dir}/jobs.sqlite`);
    expect(await again.lastUses()).toEqual(
      new Map([["a", "2026-01-02T00:00:00.000Z"], ["b", "2026-01-03T00:00:00.000Z"]]),
    );
    await again.forget(["a"]);
    expect([...(await again.lastUses()).keys()]).toEqual(["b"]);
    again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
