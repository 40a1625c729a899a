/**
 * `deno task bench`: how fast a sandbox is ready and how cheap one bash
 * command is, next to the raw Docker floor, measured in one run on this
 * machine. Prints one Markdown table (paste it into the README).
 *
 * Env: SANDBOX_IMAGE (default `backend-agent/python-sandbox:latest`),
 * BENCH_READY_RUNS (default 20), BENCH_COMMAND_RUNS (default 100), DOCKER_HOST.
 * Run with `-A` (it starts the `docker` CLI for one of the rows).
 */
import { Buffer } from "node:buffer";
import type Docker from "dockerode";
import type { Container } from "dockerode";
import { createDockerClient } from "../src/sandbox/docker_client.ts";
import { createDockerSandboxFactory } from "../src/sandbox/docker_sandbox.ts";
import { DEFAULT_SANDBOX_LIMITS } from "../src/sandbox/limits.ts";
import type { Sandbox } from "../src/sandbox/sandbox.ts";
import { exampleSeed } from "./example_seed.ts";
import { ms, summarize, type Summary, timed } from "./stats.ts";

const image = Deno.env.get("SANDBOX_IMAGE") ?? DEFAULT_SANDBOX_LIMITS.image;
const readyRuns = Number(Deno.env.get("BENCH_READY_RUNS") ?? 20);
const commandRuns = Number(Deno.env.get("BENCH_COMMAND_RUNS") ?? 100);
const WARM_UP = 2;
const BENCH_LABEL = { "dev.backend-agent.bench": "true" };

const docker = createDockerClient(Deno.env.get("DOCKER_HOST"));
const factory = createDockerSandboxFactory(docker, {
  limits: { ...DEFAULT_SANDBOX_LIMITS, image },
  maxSeedBytes: DEFAULT_SANDBOX_LIMITS.workspaceMb * 1024 * 1024,
});
const seed = await exampleSeed();
const uid = () => crypto.randomUUID().slice(0, 8);

/** Create → seeded → baseline commit → first bash command answered. */
async function readyOnce(): Promise<number> {
  let sandbox: Sandbox | undefined;
  try {
    return await timed(async () => {
      sandbox = await factory.create({ name: `backend-agent-bench-${uid()}`, seed, labels: BENCH_LABEL });
      const first = await sandbox.bash("true");
      if (first.exitCode !== 0) throw new Error(`the first command failed: ${first.stderr}`);
    });
  } finally {
    await sandbox?.dispose();
  }
}

/**
 * The floor: a plain container created, started and given the same tar
 * through the archive API; `networkNone` leaves out the network set-up, as
 * the sandbox does.
 */
async function rawOnce(networkNone: boolean): Promise<number> {
  let container: Container | undefined;
  try {
    return await timed(async () => {
      container = await docker.createContainer({
        name: `backend-agent-bench-raw-${uid()}`,
        Image: image,
        Cmd: ["sleep", "infinity"],
        Labels: BENCH_LABEL,
        ...(networkNone ? { NetworkDisabled: true, HostConfig: { NetworkMode: "none" } } : {}),
      });
      await container.start();
      await container.putArchive(Buffer.from(seed), { path: "/tmp" });
    });
  } finally {
    await container?.remove({ force: true });
  }
}

/** One fresh exec of `true` straight through dockerode: create, start, wait for the stream, inspect. */
async function freshExec(container: Container): Promise<void> {
  const exec = await container.exec({ Cmd: ["true"], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
    stream.resume();
  });
  const info = await exec.inspect();
  if (info.ExitCode !== 0) throw new Error(`exec exited ${info.ExitCode}`);
}

async function cliExec(name: string): Promise<void> {
  const out = await new Deno.Command("docker", {
    args: ["exec", name, "true"],
    stdout: "null",
    stderr: "piped",
  })
    .output();
  if (!out.success) throw new Error(`docker exec failed: ${new TextDecoder().decode(out.stderr)}`);
}

async function series(runs: number, fn: () => Promise<number | void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < WARM_UP + runs; i++) {
    const started = performance.now();
    const value = await fn();
    const elapsed = typeof value === "number" ? value : performance.now() - started;
    if (i >= WARM_UP) samples.push(elapsed);
  }
  return samples;
}

async function hasDockerCli(): Promise<boolean> {
  try {
    return (await new Deno.Command("docker", { args: ["version"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  await docker.getImage(image).inspect().catch((error) => {
    throw new Error(`The sandbox image ${image} is missing: run deno task image`, { cause: error });
  });
  const engine = await docker.version();
  console.error(
    `bench: image ${image}, seed ${seed.byteLength} bytes, ${readyRuns} ready runs, ${commandRuns} command runs`,
  );

  const ready: number[] = [];
  const raw: number[] = [];
  const rawNoNet: number[] = [];
  for (let i = 0; i < WARM_UP + readyRuns; i++) {
    const r = await readyOnce();
    const f = await rawOnce(false);
    const n = await rawOnce(true);
    if (i < WARM_UP) continue;
    ready.push(r);
    raw.push(f);
    rawNoNet.push(n);
  }

  const sandbox = await factory.create({ name: `backend-agent-bench-${uid()}`, seed, labels: BENCH_LABEL });
  let shell: number[];
  let fresh: number[];
  let cli: number[] = [];
  try {
    const container = docker.getContainer(sandbox.name);
    shell = await series(commandRuns, async () => {
      const result = await sandbox.bash("true");
      if (result.exitCode !== 0) throw new Error("true failed");
    });
    fresh = await series(Math.max(50, Math.round(commandRuns / 2)), () => freshExec(container));
    if (await hasDockerCli()) {
      cli = await series(Math.max(50, Math.round(commandRuns / 2)), () => cliExec(sandbox.name));
    }
  } finally {
    await sandbox.dispose();
  }
  console.log(render({
    ready: summarize(ready),
    raw: summarize(raw),
    rawNoNet: summarize(rawNoNet),
    shell: summarize(shell),
    fresh: summarize(fresh),
    cli: summarize(cli),
  }, engine));
}

interface Results {
  ready: Summary;
  raw: Summary;
  rawNoNet: Summary;
  shell: Summary;
  fresh: Summary;
  cli: Summary;
}

function render(r: Results, engine: Docker.DockerVersion): string {
  // The stricter floor of the two: without network set-up, as the sandbox runs.
  const floor = Math.min(r.raw.p50, r.rawNoNet.p50);
  const readyRatio = r.ready.p50 / floor;
  const freshRatio = r.fresh.p50 / r.shell.p50;
  const cliRatio = r.cli.p50 / r.shell.p50;
  const met = (ok: boolean) => (ok ? "met" : "**missed**");
  const row = (what: string, s: Summary, ratio: string, target: string) =>
    `| ${what} | ${s.runs} | ${ms(s.p50)} | ${ms(s.p95)} | ${ratio} | ${target} |`;
  return [
    `Measured in one run on ${navigator.hardwareConcurrency} CPUs, Docker ${engine.Version} (${engine.KernelVersion}), ` +
    `image \`${image}\`, seed \`examples/task_service\` (${Math.round(seed.byteLength / 1024)} KiB tar).`,
    "",
    "| Measurement | Runs | p50 ms | p95 ms | Ratio (p50) | Target |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    row(
      "Sandbox ready: create → seeded → baseline commit → first bash answered",
      r.ready,
      `${readyRatio.toFixed(2)}× the no-network floor, ${
        (r.ready.p50 / r.raw.p50).toFixed(2)
      }× the plain one`,
      `≤ 400 ms and ≤ 1.3× the (lower) floor: ${met(r.ready.p50 <= 400 && readyRatio <= 1.3)}`,
    ),
    row(
      "Raw floor: create + start + putArchive into a plain container (default network)",
      r.raw,
      `${(r.raw.p50 / floor).toFixed(2)}×`,
      "—",
    ),
    row(
      "Raw floor without network set-up (`NetworkDisabled`, as the sandbox)",
      r.rawNoNet,
      `${(r.rawNoNet.p50 / floor).toFixed(2)}×`,
      "—",
    ),
    row(
      "Persistent bash session: `true`",
      r.shell,
      "1×",
      `≤ 5 ms and ≥ 15× faster than a fresh exec: ${met(r.shell.p50 <= 5 && freshRatio >= 15)}`,
    ),
    row("Fresh dockerode exec: `true`", r.fresh, `${freshRatio.toFixed(0)}× the session`, "—"),
    r.cli.runs > 0
      ? row("`docker exec` CLI: `true`", r.cli, `${cliRatio.toFixed(0)}× the session`, "—")
      : "| `docker exec` CLI: `true` | 0 | n/a | n/a | n/a | no `docker` CLI here |",
  ].join("\n");
}

await main();
