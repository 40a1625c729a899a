import type { ContainerCreateOptions } from "dockerode";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildCreateBody, buildVolumeBody } from "../../src/sandbox/hardening.ts";
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from "../../src/sandbox/limits.ts";
import {
  containerExists,
  direct,
  IMAGE,
  type ProxyUnderTest,
  refusalOf,
  startTestProxy,
  uniqueName,
  volumeExists,
} from "./proxy_fixture.ts";

const MIB = 1024 * 1024;

/** The service's defaults (SANDBOX_MEMORY_MB 1024, SANDBOX_CPUS 1, …) with the test image. */
const SERVICE_DEFAULTS: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS, image: IMAGE };

describe("the proxy caps what one sandbox may ask for, and the engine never sees a larger one", () => {
  let under: ProxyUnderTest;
  const volume = uniqueName("capvol");

  beforeAll(async () => {
    under = startTestProxy();
    await under.docker.createVolume(
      buildVolumeBody(volume, SERVICE_DEFAULTS, { "dev.backend-agent.test": "true" }),
    );
  });

  afterAll(async () => {
    await direct.getVolume(volume).remove({ force: true }).catch(() => undefined);
    await under?.proxy.close();
  });

  /** The service's own body at its default limits, for `name`. */
  function serviceBody(name: string): ContainerCreateOptions {
    return buildCreateBody({ name, volume, labels: { "dev.backend-agent.test": "true" } }, SERVICE_DEFAULTS);
  }

  /** Sends a mutated service body through the proxy; expects 403 matching `message` and no container upstream. */
  async function expectRefused(
    mutate: (host: NonNullable<ContainerCreateOptions["HostConfig"]>) => void,
    message: RegExp,
  ) {
    const name = uniqueName("overcap");
    const body = serviceBody(name);
    mutate(body.HostConfig!);
    const refusal = await refusalOf(under.docker.createContainer(body));
    expect(refusal.status).toBe(403);
    expect(refusal.message).toMatch(/^docker-proxy: POST \/containers\/create refused: /);
    expect(refusal.message).toMatch(message);
    expect(await containerExists(name)).toBe(false);
    expect(JSON.parse(under.audit.at(-1)!)).toMatchObject({
      event: "docker_proxy_refused",
      status: 403,
      reason: refusal.message,
    });
  }

  test("the service's hardened body at its default limits passes (the control)", async () => {
    const name = uniqueName("defaults");
    const container = await under.docker.createContainer(serviceBody(name));
    try {
      const info = await direct.getContainer(name).inspect();
      expect(info.HostConfig).toMatchObject({ Memory: 1024 * MIB, NanoCpus: 1e9, PidsLimit: 256 });
      expect(info.HostConfig.Tmpfs).toMatchObject({ "/tmp": "rw,noexec,nosuid,nodev,size=128m" });
    } finally {
      await container.remove({ force: true });
    }
  });

  test("memory above PROXY_MAX_MEMORY_MB is refused", async () => {
    await expectRefused((h) => {
      h.Memory = h.MemorySwap = 8192 * MIB;
    }, /HostConfig\.Memory must be at most 4294967296 \(PROXY_MAX_MEMORY_MB=4096\), got 8589934592/);
  });

  test("CPUs above PROXY_MAX_CPUS are refused", async () => {
    await expectRefused((h) => {
      h.NanoCpus = 64e9;
    }, /HostConfig\.NanoCpus must be at most 4000000000 \(PROXY_MAX_CPUS=4\), got 64000000000/);
  });

  test("pids above PROXY_MAX_PIDS are refused", async () => {
    await expectRefused((h) => {
      h.PidsLimit = 1_000_000;
    }, /HostConfig\.PidsLimit must be at most 1024 \(PROXY_MAX_PIDS=1024\), got 1000000/);
  });

  test("a tmpfs above PROXY_MAX_TMPFS_MB, or without a size, is refused; so is a larger volume", async () => {
    await expectRefused((h) => {
      h.Tmpfs = { ...h.Tmpfs, "/tmp": "rw,noexec,nosuid,nodev,size=64g" };
    }, /HostConfig\.Tmpfs\["\/tmp"\] size must be at most 2048m \(PROXY_MAX_TMPFS_MB=2048\), got "size=64g"/);
    await expectRefused((h) => {
      h.Tmpfs = { ...h.Tmpfs, "/scratch": "rw,nosuid" };
    }, /HostConfig\.Tmpfs\["\/scratch"\] must set a size/);
    const name = uniqueName("bigvol");
    const big = buildVolumeBody(name, { ...SERVICE_DEFAULTS, workspaceMb: 4096 }, {});
    const refusal = await refusalOf(under.docker.createVolume(big));
    expect(refusal).toMatchObject({ status: 403 });
    expect(refusal.message).toMatch(
      /POST \/volumes\/create refused: DriverOpts\.o size must be at most 2048m \(PROXY_MAX_TMPFS_MB=2048\), got "size=4096m"/,
    );
    expect(await volumeExists(name)).toBe(false);
  });

  test("an unlimited or over-cap ulimit is refused", async () => {
    await expectRefused((h) => {
      h.Ulimits = [{ Name: "fsize", Soft: -1, Hard: -1 }];
    }, /HostConfig\.Ulimits\[0\] fsize needs 0 <= Soft <= Hard/);
    await expectRefused((h) => {
      h.Ulimits = [{ Name: "fsize", Soft: 4096 * MIB, Hard: 4096 * MIB }];
    }, /HostConfig\.Ulimits\[0\]\.Hard fsize must be at most 1073741824 \(PROXY_MAX_FILE_MB=1024\)/);
    await expectRefused((h) => {
      h.Ulimits = [{ Name: "nofile", Soft: 1024, Hard: 1_048_576 }];
    }, /HostConfig\.Ulimits\[0\]\.Hard nofile must be at most 65536/);
  });

  test("lower settings lower the caps: the service's defaults no longer pass", async () => {
    const small = startTestProxy({
      PROXY_MAX_MEMORY_MB: "512",
      PROXY_MAX_CPUS: "0.5",
      PROXY_MAX_PIDS: "128",
      PROXY_MAX_TMPFS_MB: "64",
    });
    try {
      const cases: Array<[(h: NonNullable<ContainerCreateOptions["HostConfig"]>) => void, RegExp]> = [
        [() => undefined, /HostConfig\.Memory must be at most 536870912 \(PROXY_MAX_MEMORY_MB=512\)/],
        [
          (h) => h.Memory = h.MemorySwap = 512 * MIB,
          /NanoCpus must be at most 500000000 \(PROXY_MAX_CPUS=0\.5\)/,
        ],
        [(h) => {
          h.Memory = h.MemorySwap = 512 * MIB;
          h.NanoCpus = 5e8;
        }, /PidsLimit must be at most 128 \(PROXY_MAX_PIDS=128\)/],
        [(h) => {
          h.Memory = h.MemorySwap = 512 * MIB;
          h.NanoCpus = 5e8;
          h.PidsLimit = 128;
        }, /Tmpfs\["\/tmp"\] size must be at most 64m \(PROXY_MAX_TMPFS_MB=64\), got "size=128m"/],
      ];
      for (const [mutate, message] of cases) {
        const name = uniqueName("small");
        const body = serviceBody(name);
        mutate(body.HostConfig!);
        const refusal = await refusalOf(small.docker.createContainer(body));
        expect(refusal.status).toBe(403);
        expect(refusal.message).toMatch(message);
        expect(await containerExists(name)).toBe(false);
      }
    } finally {
      await small.proxy.close();
    }
  });
});
