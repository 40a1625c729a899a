/**
 * Environments through the whole service (HTTP → pipeline → setup behind the egress proxy →
 * sandbox from the environment image → PR), against a package index served in Docker whose URL
 * carries a canary credential: the repo's tests import a package only the index has and pass in
 * the agent phase; the agent's sandbox has only `lo` and cannot reach the index; the second job
 * with the same manifests starts no setup container; the canary is nowhere the service writes.
 */
import { Buffer } from "node:buffer";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { SETUP_ROLE_LABEL } from "../../src/environments/environment_labels.ts";
import type { JobEvent } from "../../src/contracts/job_events.ts";
import { type Harness, runScenarioJob, startHarness, waitForJob } from "../e2e/harness.ts";
import { docker, testLimits } from "../sandbox/sandbox_fixture.ts";
import { PackageIndexFixture } from "./package_index_fixture.ts";
import { tokenScenario } from "./token_scenario.ts";

const CANARY = `canary-${crypto.randomUUID()}`;
let index: PackageIndexFixture;
let harness: Harness;
const logged: string[] = [];
const images = new Set<string>();

beforeAll(async () => {
  index = await PackageIndexFixture.start(docker, { image: testLimits().image });
  // The service logs with LogTape to stderr through console.error: keep every line.
  const original = console.error;
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(" "));
    original(...args);
  });
  harness = await startHarness(tokenScenario(index.host), {
    env: { PIP_INDEX_URL: index.url(`ci-bot:${CANARY}`), SETUP_EGRESS_NETWORK: index.network },
  });
});

afterAll(async () => {
  await harness?.close();
  vi.restoreAllMocks();
  for (const image of images) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  await index?.[Symbol.asyncDispose]();
});

interface EnvironmentView {
  key: string;
  image: string;
  cacheHit: boolean;
  packages: number;
  egress: Array<{ host: string; method: string; allowed: boolean }>;
}

function environmentOf(job: Record<string, unknown>): EnvironmentView {
  const [item] = job.workItems as Array<{ environment?: EnvironmentView }>;
  return item!.environment!;
}

const environmentEvents = (events: JobEvent[]) => events.filter((e) => e.kind === "environment");

test("a repo whose tests import a package from the index passes them in the agent phase and opens its PR; a second job hits the cache", async () => {
  const first = await runScenarioJob(harness, tokenScenario(index.host));
  expect(first.job.status, JSON.stringify(first.job.workItems)).toBe("succeeded");
  const environment = environmentOf(first.job);
  images.add(environment.image);
  expect(environment).toMatchObject({ cacheHit: false, packages: 2 });
  expect(environment.egress.length).toBeGreaterThan(0);
  expect(environment.egress.every((e) => e.host === index.host && e.allowed)).toBe(true);
  const phases = environmentEvents(first.events).map((e) => e.data.phase);
  expect(phases).toEqual(["building", "built"]);
  expect(environmentEvents(first.events)[0]!.message).toBe(
    `#3: environment: installing from requirements.txt through the egress proxy (${index.host}:8080)`,
  );
  const tests = first.events.filter((e) => e.kind === "test");
  expect(tests.at(-1)?.data).toMatchObject({ passed: 2, failed: 0, exitCode: 0 });
  expect(harness.github.pulls("acme/tokens")).toHaveLength(1);

  // From inside the agent's sandbox: only `lo`, and the index cannot be reached.
  const trajectory = JSON.stringify(
    await (await fetch(`${harness.apiUrl}/v1/jobs/${first.id}/trajectory`)).json(),
  );
  expect(trajectory).toContain("interfaces ['lo']");
  expect(trajectory).toMatch(/index: unreachable (URLError|gaierror|OSError)/);
  expect(trajectory).toMatch(/\/opt\/venv\/lib\/python3[.0-9]*\/site-packages\/tinyjwt\.py \/opt\/venv/);

  const since = Date.now() / 1000;
  const response = await fetch(`${harness.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: "acme/tokens", issue: 4 }),
  });
  const { id } = await response.json() as { id: string };
  const secondEvents: JobEvent[] = [];
  const second = await waitForJob(harness.apiUrl, id, { onEvent: (e) => secondEvents.push(e) });
  expect(second.status).toBe("succeeded");
  expect(environmentOf(second)).toMatchObject({ key: environment.key, cacheHit: true, egress: [] });
  const [hit] = environmentEvents(secondEvents);
  expect(hit!.message).toMatch(
    new RegExp(
      `^#4: environment: cache hit env:${
        environment.key.slice(0, 4)
      }… \\(built (just now|\\d+ s ago), 2 packages\\)$`,
    ),
  );
  expect(await setupContainersCreatedSince(since)).toEqual([]);

  const listed = await (await fetch(`${harness.apiUrl}/v1/environments`)).json() as {
    environments: Array<{ key: string; repo: string; packages: number; lastUsedAt: string | null }>;
  };
  expect(listed.environments).toContainEqual(
    expect.objectContaining({
      key: environment.key,
      repo: "acme/tokens",
      packages: 2,
      lastUsedAt: expect.any(String),
    }),
  );

  // The canary credential: in no event, job, log line, audit line or layer of the image.
  const everything = [
    JSON.stringify(first),
    JSON.stringify(second),
    JSON.stringify(secondEvents),
    JSON.stringify(listed),
    logged.join("\n"),
    await Deno.readTextFile(harness.auditLogPath).catch(() => ""),
  ].join("\n");
  expect(everything).not.toContain(CANARY);
  const saved: Uint8Array[] = [];
  for await (const chunk of await docker.getImage(environment.image).get()) saved.push(chunk as Uint8Array);
  expect(Buffer.concat(saved).includes(CANARY)).toBe(false);
  expect(JSON.stringify(await docker.getImage(environment.image).history())).not.toContain(CANARY);
  // Setup did fetch from the index (the URL with its credential reached the setup program).
  expect(await index.requests()).toContain("GET /simple/tinyjwt/");
});

async function setupContainersCreatedSince(since: number): Promise<string[]> {
  const stream = await docker.getEvents({
    since,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: JSON.stringify({ type: ["container"], event: ["create"], label: [`${SETUP_ROLE_LABEL}=setup`] }),
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks).toString().split("\n").filter(Boolean).map((line) =>
    JSON.parse(line).Actor.Attributes.name
  );
}
