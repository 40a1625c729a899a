/**
 * Environments against the real engine and a package index served inside Docker: a build installs
 * through the egress proxy, a hit skips setup, a change rebuilds, failures carry pip's words, the
 * index credentials stay out of the image, and every setup part is removed.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { EnvironmentSpec } from "../../src/contracts/environment.ts";
import { EnvironmentBuilder } from "../../src/environments/environment_builder.ts";
import { EnvironmentError } from "../../src/environments/environment_error.ts";
import { ENV_LABELS, SETUP_ROLE_LABEL } from "../../src/environments/environment_labels.ts";
import type { EnvironmentProgress } from "../../src/environments/environment_provider.ts";
import type { EnvironmentSettings } from "../../src/environments/environment_settings.ts";
import { memoryEnvironmentUses } from "../../src/environments/environment_uses.ts";
import { EnvironmentCache } from "../../src/environments/image_cache.ts";
import { parsePackageIndex } from "../../src/environments/package_index.ts";
import { docker, tarOf, testLimits } from "../sandbox/sandbox_fixture.ts";
import { PackageIndexFixture } from "./package_index_fixture.ts";
import { environmentRun, setupPartsOf } from "./environment_fixture.ts";

const CANARY = `canary-${crypto.randomUUID()}`;
const RUN = crypto.randomUUID().slice(0, 8);
let index: PackageIndexFixture;
const built = new Set<string>();

beforeAll(async () => {
  index = await PackageIndexFixture.start(docker, { image: testLimits().image });
});

afterAll(async () => {
  for (const image of built) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  await index?.[Symbol.asyncDispose]();
});

function settings(overrides: Partial<EnvironmentSettings> = {}): EnvironmentSettings {
  return {
    limits: testLimits({ memoryMb: 512, pidsLimit: 256 }),
    index: parsePackageIndex(index.url(`ci-bot:${CANARY}`), "PIP_INDEX_URL"),
    extraIndexes: [],
    allowedHosts: [],
    setupTimeoutMs: 120_000,
    cacheMax: 10,
    egressNetwork: index.network,
    spareMaxAgeMs: null,
    ...overrides,
  };
}

function builder(overrides: Partial<EnvironmentSettings> = {}): EnvironmentBuilder {
  return new EnvironmentBuilder(
    docker,
    new EnvironmentCache(docker, memoryEnvironmentUses()),
    settings(overrides),
  );
}

/** A repo whose requirements.txt is `requirements` (plus a line unique to this test run). */
async function repo(requirements: string, extra: Record<string, string> = {}) {
  const files = { "requirements.txt": `${requirements}\n# ${RUN}\n`, ...extra };
  const spec: EnvironmentSpec = {
    manifests: Object.entries(files).filter(([path]) => !path.startsWith("probe")).map(([path, text]) => ({
      path,
      sha256: createHash("sha256").update(text).digest("hex"),
    })),
    plan: extra[".backend-agent/setup.sh"]
      ? { kind: "script", path: ".backend-agent/setup.sh" }
      : { kind: "pip", installs: [["-r", "requirements.txt"]] },
    sources: extra[".backend-agent/setup.sh"] ? [".backend-agent/setup.sh"] : ["requirements.txt"],
    topLevelRequirements: ["tinyjwt"],
  };
  return { spec, seed: await tarOf(files) };
}

async function prepare(
  b: EnvironmentBuilder,
  target: Awaited<ReturnType<typeof repo>>,
  progress: EnvironmentProgress[] = [],
  repoName = "acme/tasks",
) {
  const name = `backend-agent-test-${crypto.randomUUID().slice(0, 8)}-env`;
  const result = await b.prepare({
    ...target,
    repo: repoName,
    name,
    labels: { "dev.backend-agent.test": "true" },
    report: (p) => {
      progress.push(p);
      return Promise.resolve();
    },
  });
  if (result.image.startsWith("backend-agent/env:")) built.add(result.image);
  return { result, name };
}

describe("a build through the egress proxy", () => {
  test("installs the index's package and its dependency into /opt/venv, usable offline from the image", async () => {
    const b = builder();
    const progress: EnvironmentProgress[] = [];
    const { result, name } = await prepare(b, await repo("tinyjwt==1.0.0"), progress);
    expect(result).toMatchObject({ cacheHit: false, packages: 2, image: `backend-agent/env:${result.key}` });
    expect(progress.map((p) => p.phase)).toEqual(["building", "built"]);
    expect(progress[0]).toMatchObject({ sources: ["requirements.txt"], allowlist: [`${index.host}:8080`] });
    // From outside: what the proxy logged, and the index saw the same.
    expect(result.egress.length).toBeGreaterThanOrEqual(4);
    expect(result.egress.every((e) => e.host === index.host && e.method === "GET" && e.allowed)).toBe(true);
    expect(await index.requests()).toContain("GET /packages/tinyjwt-1.0.0-py3-none-any.whl");
    // The proxy's count for the wheel's request: the wheel itself plus the request and the response
    // headers (a few hundred bytes). The index logged the same requests in the same order.
    const gets = (await index.requests()).split("\n").filter((l) => l.includes('"GET /')).slice(
      -result.egress.length,
    );
    const wheelAt = gets.findIndex((l) => l.includes("GET /packages/tinyjwt-1.0.0-py3-none-any.whl"));
    const wheel = await index.servedSize("packages/tinyjwt-1.0.0-py3-none-any.whl");
    expect(wheelAt).toBeGreaterThanOrEqual(0);
    expect(result.egress[wheelAt]!.bytes).toBeGreaterThanOrEqual(wheel + 100);
    expect(result.egress[wheelAt]!.bytes).toBeLessThanOrEqual(wheel + 1024);
    const labels = (await docker.getImage(result.image).inspect()).Config.Labels;
    expect(labels).toMatchObject({
      [ENV_LABELS.repo]: "acme/tasks",
      [ENV_LABELS.key]: result.key,
      [ENV_LABELS.created]: result.builtAt,
      [ENV_LABELS.packages]: "2",
    });
    expect(Number(labels[ENV_LABELS.size])).toBeGreaterThan(0);
    // From inside: the agent's kind of container (no network) imports it.
    const run = await environmentRun(
      result.image,
      "import tinyjwt, sys; print(tinyjwt.sign({'a': 1}), sys.prefix)",
    );
    expect(run).toMatchObject({ exitCode: 0 });
    expect(run.stdout.trim().split(" ")[1]).toBe("/opt/venv");
    expect(await setupPartsOf(name)).toEqual({ containers: [], networks: [] });
  });

  test("the same manifests hit the cache without a setup container; a changed requirements.txt rebuilds", async () => {
    const b = builder();
    const target = await repo("tinyjwt==1.0.0\ntinyb64==1.0.0");
    const first = await prepare(b, target);
    const since = Date.now() / 1000;
    const progress: EnvironmentProgress[] = [];
    const second = await prepare(b, target, progress);
    expect(second.result).toMatchObject({ key: first.result.key, cacheHit: true, egress: [], packages: 2 });
    expect(progress.map((p) => p.phase)).toEqual(["cache_hit"]);
    expect(await setupContainersCreatedSince(since)).toEqual([]);
    const changed = await prepare(b, await repo("tinyjwt==1.0.0\ntinyb64==1.1.0"));
    expect(changed.result.key).not.toBe(first.result.key);
    expect(changed.result.cacheHit).toBe(false);
  });

  test("another repository with the same manifests never gets this repository's image", async () => {
    const b = builder();
    const target = await repo("tinyjwt==1.0.0\n# shared manifests");
    const mine = await prepare(b, target);
    const sameRepo = await prepare(b, target, [], "ACME/Tasks");
    expect(sameRepo.result).toMatchObject({ key: mine.result.key, cacheHit: true });
    const other = await prepare(b, target, [], "mallory/tasks");
    expect(other.result.key).not.toBe(mine.result.key);
    expect(other.result.cacheHit).toBe(false);
    expect(other.result.image).not.toBe(mine.result.image);
  });

  test("with a setup script, any file of the base tree is in the key", async () => {
    const b = builder();
    const script = { ".backend-agent/setup.sh": "pip install -r deps/list\n" };
    const one = await repo("", { ...script, "deps/list": "tinyjwt==1.0.0\n" });
    // The same spec (the script is the only manifest), a different file the script reads.
    const two = { ...(await repo("", { ...script, "deps/list": "tinyb64==1.1.0\n" })), spec: one.spec };
    const key = (target: typeof one) => b.key({ ...target, repo: "acme/tasks" });
    expect(await key(one)).not.toBe(await key(two));
    expect(await key(one)).toBe(await key(await repo("", { ...script, "deps/list": "tinyjwt==1.0.0\n" })));
  });

  test("two work items needing the same key at once build it once", async () => {
    const b = builder();
    const target = await repo("tinyb64==1.1.0");
    const since = Date.now() / 1000;
    const [one, two] = await Promise.all([prepare(b, target), prepare(b, target)]);
    expect([one.result.cacheHit, two.result.cacheHit].sort()).toEqual([false, true]);
    expect(await setupContainersCreatedSince(since)).toHaveLength(1);
  });
});

describe("a hostile setup script", () => {
  /** Whether the image `name` holds `needle` anywhere (layers, config, history). */
  async function imageHolds(name: string, needles: string[]): Promise<string[]> {
    const image = docker.getImage(name);
    const chunks: Uint8Array[] = [];
    for await (const chunk of await image.get()) chunks.push(chunk as Uint8Array);
    const text = new TextDecoder("latin1").decode(Buffer.concat(chunks)) +
      JSON.stringify(await image.inspect()) + JSON.stringify(await image.history());
    return needles.filter((needle) => text.includes(needle));
  }

  test("a background writer of the credential it leaves running is found by the scan, and nothing is cached", async () => {
    const script = `( while :; do
    printf '%s' "$PIP_INDEX_URL" > /opt/venv/late.txt
    printf '%s' "$PIP_INDEX_URL" | base64 -w0 > /opt/venv/late64.txt
    sleep 0.01
  done ) </dev/null >/dev/null 2>&1 &
disown
pip install tinyjwt==1.0.0
`;
    const b = builder();
    const target = await repo("", { ".backend-agent/setup.sh": script });
    const error = await prepare(b, target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).failure).toBe("leaked");
    expect((error as EnvironmentError).message).toMatch(/credentials into \/opt\/venv\/late(64)?\.txt/);
    const key = await b.key({ ...target, repo: "acme/tasks" });
    expect(await docker.getImage(`backend-agent/env:${key}`).inspect().catch(() => "absent")).toBe("absent");
  });

  test("a writer that waits for the credential scan to end is stopped before it, and the image holds neither form", async () => {
    // It watches /proc for the scan and writes the index URL, plain and in Base64, once the scan is over:
    // without the stop before the scan it would write into the commit.
    const script = `watch_scan() {
  local seen= now f args
  while :; do
    now=
    for f in /proc/[0-9]*/cmdline; do
      mapfile -d '' args < "$f" 2>/dev/null || continue
      [[ "\${args[*]}" == *"setup_env.py scan"* ]] && now=1
    done
    if [[ -n $now ]]; then seen=1; elif [[ -n $seen ]]; then break; fi
  done
  while :; do
    printf '%s' "$PIP_INDEX_URL" > /opt/venv/late.txt
    printf '%s' "$PIP_INDEX_URL" | base64 -w0 > /opt/venv/late64.txt
  done
}
watch_scan </dev/null >/dev/null 2>&1 &
disown
pip install tinyjwt==1.0.0
`;
    const { result } = await prepare(builder(), await repo("", { ".backend-agent/setup.sh": script }));
    const canaryForms = [CANARY, btoa(index.url(`ci-bot:${CANARY}`)).slice(8, -8)];
    expect(await imageHolds(result.image, canaryForms)).toEqual([]);
    const listed = await environmentRun(result.image, "import os; print(sorted(os.listdir('/opt/venv')))");
    expect(listed.stdout).not.toContain("late");
  });

  test("a credential written in Base64 or percent-encoded is found, and nothing is cached", async () => {
    for (
      const write of [
        "base64 -w0",
        "python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.stdin.read(),safe=\"\"))'",
      ]
    ) {
      const script = `printf '%s' "$PIP_INDEX_URL" | ${write} > /opt/venv/encoded.txt\n`;
      const b = builder();
      const target = await repo("", { ".backend-agent/setup.sh": script });
      const error = await prepare(b, target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnvironmentError);
      expect((error as EnvironmentError).failure).toBe("leaked");
      expect((error as EnvironmentError).message).toContain("/opt/venv/encoded.txt");
      expect((error as EnvironmentError).message + (error as EnvironmentError).output).not.toContain(CANARY);
      const key = await b.key({ ...target, repo: "acme/tasks" });
      expect(await docker.getImage(`backend-agent/env:${key}`).inspect().catch(() => "absent")).toBe(
        "absent",
      );
    }
  });
});

describe("a failed setup", () => {
  test("a requirement the index does not have fails with pip's error, and nothing is left", async () => {
    const b = builder();
    const progress: EnvironmentProgress[] = [];
    const failure = await prepare(b, await repo("no-such-package-anywhere==1.0"), progress).catch((e) => e);
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect(failure.failure).toBe("failed");
    expect(failure.output).toMatch(/No matching distribution found for no-such-package-anywhere==1\.0/);
    expect(progress.at(-1)).toMatchObject({ phase: "failed", failure: "failed" });
    const key = (progress[0] as { key: string }).key;
    expect(await new EnvironmentCache(docker, memoryEnvironmentUses()).find(key)).toBeUndefined();
    expect(JSON.stringify(progress) + failure.message + failure.output).not.toContain(CANARY);
  });

  test("a setup past SETUP_TIMEOUT_MS is stopped and reported as a timeout", async () => {
    const b = builder({ setupTimeoutMs: 4_000 });
    const target = await repo("", { ".backend-agent/setup.sh": "echo starting; sleep 60\n" });
    const progress: EnvironmentProgress[] = [];
    const error = await prepare(b, target, progress).catch((e) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.failure).toBe("timeout");
    expect(error.message).toMatch(/SETUP_TIMEOUT_MS \(4000 ms\)/);
    expect(error.output).toContain("starting");
    expect(progress.at(-1)).toMatchObject({ phase: "failed", failure: "timeout" });
  });
});

describe("the egress proxy, from inside the setup container", () => {
  test("refuses a host that is not allowlisted and logs it; a direct connection has no route", async () => {
    const other = await index.startOther();
    const probe = [
      "import json, os, socket, urllib.request",
      "out = {}",
      "def get(url, proxies):",
      "    opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))",
      "    try:",
      "        return opener.open(url, timeout=5).status",
      "    except urllib.error.HTTPError as e:",
      "        return e.code",
      "    except Exception as e:",
      "        return type(e).__name__",
      `out['via_proxy'] = get('http://${other.host}:8080/', {'http': os.environ['HTTP_PROXY']})`,
      `out['index_other_port'] = get('http://${index.host}:8081/', {'http': os.environ['HTTP_PROXY']})`,
      `out['direct_by_name'] = get('http://${other.host}:8080/', {})`,
      "try:",
      `    socket.create_connection(('${other.ip}', 8080), timeout=3).close(); out['direct_by_ip'] = 'connected'`,
      "except OSError as e:",
      "    out['direct_by_ip'] = type(e).__name__",
      "open('/opt/venv/probe.json', 'w').write(json.dumps(out))",
    ].join("\n");
    const target = await repo("", {
      ".backend-agent/setup.sh": "pip install tinyb64==1.0.0 && python3 probe.py\n",
      "probe.py": probe,
    });
    const { result } = await prepare(builder(), target);
    const seen = await environmentRun(result.image, "print(open('/opt/venv/probe.json').read())");
    const probed = JSON.parse(seen.stdout);
    expect(probed.via_proxy).toBe(403);
    // Plain HTTP to the index's host reaches the index's port only.
    expect(probed.index_other_port).toBe(403);
    expect(probed.direct_by_name).toMatch(/URLError|gaierror/);
    expect(probed.direct_by_ip).toMatch(/OSError|TimeoutError|timeout|ConnectionRefusedError|unreachable/i);
    expect(probed.direct_by_ip).not.toBe("connected");
    // A refusal's bytes are the proxy's error page and the request: more than nothing.
    const counted = { bytes: expect.any(Number) };
    expect(result.egress).toContainEqual({ host: other.host, method: "GET", allowed: false, ...counted });
    expect(result.egress).toContainEqual({ host: index.host, method: "GET", allowed: true, ...counted });
    expect(result.egress).toContainEqual({ host: index.host, method: "GET", allowed: false, ...counted });
    expect(result.egress.every((e) => e.bytes! > 0)).toBe(true);
  });
});

test("the index credentials are in no layer, no history, no config and no report of the image", async () => {
  const progress: EnvironmentProgress[] = [];
  const { result } = await prepare(builder(), await repo("tinyjwt==1.0.0\n# canary"), progress);
  const image = docker.getImage(result.image);
  const saved = await image.get();
  const chunks: Uint8Array[] = [];
  for await (const chunk of saved) chunks.push(chunk as Uint8Array);
  const bytes = new TextDecoder("latin1").decode(Buffer.concat(chunks));
  expect(bytes.length).toBeGreaterThan(10_000);
  expect(bytes).not.toContain(CANARY);
  expect(JSON.stringify(await image.history())).not.toContain(CANARY);
  expect(JSON.stringify(await image.inspect())).not.toContain(CANARY);
  expect(JSON.stringify(progress) + JSON.stringify(result)).not.toContain(CANARY);
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
