/**
 * `deno task bench` (environments): what a repository's environment costs, next to what it
 * replaces, measured in one run against a package index served in Docker
 * (`tests/environments/package_index_fixture.ts`; no PyPI here). Prints one Markdown table.
 *
 * - Sandbox ready from a cached environment image vs from the base image (target ≤ 1.2×).
 * - A cold environment build (setup container behind the egress proxy, committed and cached) vs a
 *   bare `docker run … pip install` of the same wheels straight from the index (target ≤ 1.3×): until
 *   its image is ready, which is what a work item waits for (its setup's parts are removed while its
 *   sandbox starts), with the spare egress pair the service keeps per engine. Also shown: the same
 *   build until its parts are removed and the next spare made, and a build without a spare pair.
 *   Each build's removal ends before the next measurement starts.
 * - The service's overhead on a cache hit: base image look-up, key, image look-up (target ≤ 20 ms p50).
 *
 * Env: SANDBOX_IMAGE, BENCH_ENV_RUNS (default 8), BENCH_READY_RUNS (default 20), DOCKER_HOST.
 */
import { createHash } from "node:crypto";
import type { EnvironmentSpec } from "../src/contracts/environment.ts";
import { EnvironmentBuilder } from "../src/environments/environment_builder.ts";
import { memoryEnvironmentUses } from "../src/environments/environment_uses.ts";
import { EnvironmentCache } from "../src/environments/image_cache.ts";
import { parsePackageIndex } from "../src/environments/package_index.ts";
import { createDockerClient } from "../src/sandbox/docker_client.ts";
import { createDockerSandboxFactory } from "../src/sandbox/docker_sandbox.ts";
import { DEFAULT_SANDBOX_LIMITS } from "../src/sandbox/limits.ts";
import { PackageIndexFixture } from "../tests/environments/package_index_fixture.ts";
import { packSeedArchive } from "../src/sandbox/seed_archive.ts";
import { ms, summarize, type Summary, timed } from "./stats.ts";

const image = Deno.env.get("SANDBOX_IMAGE") ?? DEFAULT_SANDBOX_LIMITS.image;
const envRuns = Number(Deno.env.get("BENCH_ENV_RUNS") ?? 8);
const readyRuns = Number(Deno.env.get("BENCH_READY_RUNS") ?? 20);
const hitRuns = 100;
const WARM_UP = 1;
const LABELS = { "dev.backend-agent.bench": "true" };
const REQUIREMENTS = "tinyjwt==1.0.0\n";

const docker = createDockerClient(Deno.env.get("DOCKER_HOST"));
const limits = { ...DEFAULT_SANDBOX_LIMITS, image };
const uid = () => crypto.randomUUID().slice(0, 8);

/** A repository needing `requirements` (a comment makes each cold build's key new). */
async function repo(note: string) {
  const text = `${REQUIREMENTS}# ${note}\n`;
  const bytes = new TextEncoder().encode(text);
  const spec: EnvironmentSpec = {
    manifests: [{ path: "requirements.txt", sha256: createHash("sha256").update(bytes).digest("hex") }],
    plan: { kind: "pip", installs: [["-r", "requirements.txt"]] },
    sources: ["requirements.txt"],
    topLevelRequirements: ["tinyjwt"],
  };
  const seed = await packSeedArchive([{
    path: "requirements.txt",
    type: "file",
    mode: 0o644,
    content: bytes,
  }]);
  return { spec, seed };
}

/**
 * `docker run --rm --network <egress> <image> pip install …` of the same wheels through the `docker`
 * CLI, straight from the index: no proxy, nothing kept.
 */
async function barePipInstall(index: PackageIndexFixture): Promise<number> {
  return await timed(async () => {
    const out = await new Deno.Command("docker", {
      args: [
        "run",
        "--rm",
        "--network",
        index.network,
        "--user",
        "1000:1000",
        "--tmpfs",
        "/tmp:rw,size=128m",
        "--label",
        "dev.backend-agent.bench=true",
        image,
        "/opt/venv/bin/python",
        "-m",
        "pip",
        "install",
        "--no-input",
        "--progress-bar",
        "off",
        "--disable-pip-version-check",
        "--no-cache-dir",
        "--index-url",
        index.url(),
        "--trusted-host",
        index.host,
        REQUIREMENTS.trim(),
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`the bare pip install failed: ${new TextDecoder().decode(out.stderr)}`);
  });
}

async function main(): Promise<void> {
  await using index = await PackageIndexFixture.start(docker, { image });
  const uses = memoryEnvironmentUses();
  const builderWith = (spareMaxAgeMs: number | null) =>
    new EnvironmentBuilder(docker, new EnvironmentCache(docker, uses), {
      limits,
      index: parsePackageIndex(index.url(), "PIP_INDEX_URL"),
      extraIndexes: [],
      allowedHosts: [],
      setupTimeoutMs: 300_000,
      cacheMax: 1_000,
      egressNetwork: index.network,
      spareMaxAgeMs,
    });
  // As the service keeps it (half of SANDBOX_REAP_AFTER_MS's default): every build after an engine's
  // first takes a spare egress pair. The other makes its own each time, as an engine's first build.
  const builder = builderWith(1_800_000);
  const withoutSpare = builderWith(null);
  const built: string[] = [];
  /** The setup's removal, which a work item awaits before it ends while its sandbox starts and runs. */
  let removal: Promise<void> | undefined;
  const prepare = async (target: Awaited<ReturnType<typeof repo>>, by = builder) => {
    const result = await by.prepare({
      ...target,
      repo: "acme/bench",
      name: `backend-agent-bench-${uid()}`,
      labels: LABELS,
      report: () => Promise.resolve(),
      defer: (work) => {
        removal = work;
      },
    });
    if (!result.cacheHit) built.push(result.image);
    return result;
  };
  console.error(`bench: environments on ${image}, ${envRuns} cold builds, ${readyRuns} ready runs`);
  try {
    const cold: number[] = [];
    const cleaned: number[] = [];
    const first: number[] = [];
    const bare: number[] = [];
    /** One cold build, timed until its image is ready and until its parts are removed. */
    const coldBuild = async (by: EnvironmentBuilder) => {
      const target = await repo(`cold ${uid()}`);
      const started = performance.now();
      await prepare(target, by);
      const ready = performance.now() - started;
      // The setup's parts are gone before anything else runs: nothing of the build runs beside it.
      await removal;
      return { ready, cleaned: performance.now() - started };
    };
    for (let i = 0; i < WARM_UP + envRuns; i++) {
      const c = await coldBuild(builder);
      const f = await coldBuild(withoutSpare);
      const b = await barePipInstall(index);
      if (i < WARM_UP) continue;
      cold.push(c.ready);
      cleaned.push(c.cleaned);
      first.push(f.ready);
      bare.push(b);
    }

    const cachedTarget = await repo("cached");
    const cached = await prepare(cachedTarget);
    const hits: number[] = [];
    for (let i = 0; i < WARM_UP + hitRuns; i++) {
      const started = performance.now();
      const result = await prepare(cachedTarget);
      if (!result.cacheHit) throw new Error("expected a cache hit");
      if (i >= WARM_UP) hits.push(performance.now() - started);
    }

    const factory = createDockerSandboxFactory(docker, {
      limits,
      maxSeedBytes: limits.workspaceMb * 1024 * 1024,
    });
    const readyFrom = async (from: string | undefined) => {
      const sandbox = await factory.create({
        name: `backend-agent-bench-${uid()}`,
        seed: cachedTarget.seed,
        labels: LABELS,
        ...(from ? { image: from } : {}),
      });
      try {
        const first = await sandbox.bash("true");
        if (first.exitCode !== 0) throw new Error(`the first command failed: ${first.stderr}`);
      } finally {
        await sandbox.dispose();
      }
    };
    const fromEnv: number[] = [];
    const fromBase: number[] = [];
    for (let i = 0; i < WARM_UP + readyRuns; i++) {
      const e = await timed(() => readyFrom(cached.image));
      const b = await timed(() => readyFrom(undefined));
      if (i < WARM_UP) continue;
      fromEnv.push(e);
      fromBase.push(b);
    }
    console.log(render({
      fromEnv: summarize(fromEnv),
      fromBase: summarize(fromBase),
      cold: summarize(cold),
      cleaned: summarize(cleaned),
      first: summarize(first),
      bare: summarize(bare),
      hit: summarize(hits),
    }));
  } finally {
    await builder.close();
    await withoutSpare.close();
    for (const name of built) await docker.getImage(name).remove({ force: true }).catch(() => undefined);
  }
}

interface Results {
  fromEnv: Summary;
  fromBase: Summary;
  cold: Summary;
  cleaned: Summary;
  first: Summary;
  bare: Summary;
  hit: Summary;
}

function render(r: Results): string {
  const met = (ok: boolean) => (ok ? "met" : "**missed**");
  const readyRatio = r.fromEnv.p50 / r.fromBase.p50;
  const coldRatio = r.cold.p50 / r.bare.p50;
  const row = (what: string, s: Summary, ratio: string, target: string) =>
    `| ${what} | ${s.runs} | ${ms(s.p50)} | ${ms(s.p95)} | ${ratio} | ${target} |`;
  return [
    `Environments, measured in one run on ${navigator.hardwareConcurrency} CPUs, image \`${image}\`, ` +
    `requirement \`${REQUIREMENTS.trim()}\` (2 wheels) from a package index served in Docker.`,
    "",
    "| Measurement | Runs | p50 ms | p95 ms | Ratio (p50) | Target |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    row(
      "Sandbox ready from a cached environment image",
      r.fromEnv,
      `${readyRatio.toFixed(2)}× from the base image`,
      `≤ 1.2×: ${met(readyRatio <= 1.2)}`,
    ),
    row("Sandbox ready from the base image", r.fromBase, "1×", "—"),
    row(
      "Cold environment build (spare egress pair ready): setup container, seed, pip, commit; image ready",
      r.cold,
      `${coldRatio.toFixed(2)}× the bare install`,
      `≤ 1.3×: ${met(coldRatio <= 1.3)}`,
    ),
    row(
      "The same build until its setup's parts are removed and the next spare pair made (awaited later)",
      r.cleaned,
      `${(r.cleaned.p50 / r.bare.p50).toFixed(2)}× the bare install`,
      "—",
    ),
    row(
      "Cold environment build without a spare egress pair (an engine's first), image ready",
      r.first,
      `${(r.first.p50 / r.bare.p50).toFixed(2)}× the bare install`,
      "—",
    ),
    row(
      "Bare `docker run --rm … pip install` of the same wheels (CLI; no proxy, nothing kept)",
      r.bare,
      "1×",
      "—",
    ),
    row(
      "Service overhead of a cache hit: base image look-up, key, image look-up",
      r.hit,
      "—",
      `≤ 20 ms p50: ${met(r.hit.p50 <= 20)}`,
    ),
  ].join("\n");
}

await main();
