/**
 * Helpers for environment tests: a builder installing from a test index, run Python in an image as
 * the agent would, find a setup's leftovers.
 */
import { Buffer } from "node:buffer";
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { EnvironmentBuilder } from "../../src/environments/environment_builder.ts";
import { memoryEnvironmentUses } from "../../src/environments/environment_uses.ts";
import { EnvironmentCache } from "../../src/environments/image_cache.ts";
import { parsePackageIndex } from "../../src/environments/package_index.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { docker, testLimits } from "../sandbox/sandbox_fixture.ts";
import type { PackageIndexFixture } from "./package_index_fixture.ts";

/**
 * Runs `python` (`python3 -c`) in a container from `image` with the agent's kind of isolation:
 * user 1000, no network, read-only root, the image's own environment (so `/opt/venv/bin` first).
 */
export async function environmentRun(
  image: string,
  python: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: ["python3", "-c", python],
    User: "1000:1000",
    Labels: { "dev.backend-agent.test": "true" },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: "none",
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
    },
  });
  try {
    await container.start();
    const { StatusCode } = await container.wait();
    const raw = await container.logs({ stdout: true, stderr: true, follow: false });
    const out = new PassThrough();
    const err = new PassThrough();
    const stdout: Uint8Array[] = [];
    const stderr: Uint8Array[] = [];
    out.on("data", (c: Uint8Array) => stdout.push(c));
    err.on("data", (c: Uint8Array) => stderr.push(c));
    const stream = new PassThrough();
    container.modem.demuxStream(stream, out, err);
    stream.end(raw as unknown as Buffer);
    await new Promise((resolve) => setImmediate(resolve));
    return {
      exitCode: StatusCode,
      stdout: Buffer.concat(stdout).toString(),
      stderr: Buffer.concat(stderr).toString(),
    };
  } finally {
    await container.remove({ force: true });
  }
}

/** Containers and networks still labelled as parts of setup `name` (all should be gone). */
export async function setupPartsOf(name: string): Promise<{ containers: string[]; networks: string[] }> {
  const mine = (labels: Record<string, string> | undefined | null) =>
    (labels?.[LABELS.sandbox] ?? "").startsWith(name);
  const filters = JSON.stringify({ label: [`${LABELS.managed}=true`] });
  const containers = (await docker.listContainers({ all: true, filters })).filter((c) => mine(c.Labels));
  const networks = (await docker.listNetworks({ filters })).filter((n) => mine(n.Labels));
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
}

/**
 * A builder on `client` that installs from `index` (whose network is the egress network), with the
 * test sandbox's limits and a spare egress pair kept for `spareMaxAgeMs` (null: none).
 */
export function testEnvironmentBuilder(
  client: Docker,
  index: PackageIndexFixture,
  spareMaxAgeMs: number | null,
): EnvironmentBuilder {
  return new EnvironmentBuilder(client, new EnvironmentCache(client, memoryEnvironmentUses()), {
    limits: testLimits({ memoryMb: 512, pidsLimit: 256 }),
    index: parsePackageIndex(index.url(), "PIP_INDEX_URL"),
    extraIndexes: [],
    allowedHosts: [],
    setupTimeoutMs: 120_000,
    cacheMax: 10,
    egressNetwork: index.network,
    spareMaxAgeMs,
  });
}
