import { describe, expect, test } from "vitest";
import { readProxyConfig } from "../../src/docker_proxy/config.ts";
import { checkContainerCreate } from "../../src/docker_proxy/create_policy.ts";
import { ProxyRefusal } from "../../src/docker_proxy/refusal.ts";
import { DEFAULT_RESOURCE_CAPS, type ResourceCaps } from "../../src/docker_proxy/resource_policy.ts";
import { createSandboxCap } from "../../src/docker_proxy/sandbox_cap.ts";
import { tmpfsSizeBytes } from "../../src/docker_proxy/tmpfs_size.ts";
import { buildCreateBody } from "../../src/sandbox/hardening.ts";
import { DEFAULT_SANDBOX_LIMITS } from "../../src/sandbox/limits.ts";

const MIB = 1024 * 1024;

type Body = Record<string, unknown> & { HostConfig: Record<string, unknown> };

/** The service's own body at its default limits. */
const body = (): Body =>
  buildCreateBody(
    { name: "s", volume: "s-workspace", labels: {} },
    DEFAULT_SANDBOX_LIMITS,
  ) as unknown as Body;

const check = (b: Body, caps: ResourceCaps = DEFAULT_RESOURCE_CAPS) =>
  checkContainerCreate(b, {
    allowedImages: new Set([DEFAULT_SANDBOX_LIMITS.image]),
    allowedRuntimes: new Set(),
    caps,
    managedVolume: () => Promise.resolve(),
  });

/** Expects `mutate` of the service's body to be refused with a message matching `message`. */
async function refused(mutate: (b: Body) => void, message: RegExp, caps?: ResourceCaps) {
  const b = body();
  mutate(b);
  await expect(check(b, caps)).rejects.toThrow(message);
}

describe("the resource caps", () => {
  test("the defaults admit the service's defaults, and the settings change them", async () => {
    await expect(check(body())).resolves.toBeDefined();
    expect(readProxyConfig({})).toMatchObject({ caps: DEFAULT_RESOURCE_CAPS, maxSandboxes: 16 });
    expect(DEFAULT_RESOURCE_CAPS).toEqual({
      maxMemoryBytes: 4096 * MIB,
      maxNanoCpus: 4e9,
      maxPids: 1024,
      maxTmpfsBytes: 2048 * MIB,
      maxFileBytes: 1024 * MIB,
    });
    const config = readProxyConfig({
      PROXY_MAX_MEMORY_MB: "512",
      PROXY_MAX_CPUS: "0.5",
      PROXY_MAX_PIDS: "100",
      PROXY_MAX_TMPFS_MB: "64",
      PROXY_MAX_FILE_MB: "8",
      PROXY_MAX_SANDBOXES: "3",
    });
    expect(config).toMatchObject({
      caps: {
        maxMemoryBytes: 512 * MIB,
        maxNanoCpus: 5e8,
        maxPids: 100,
        maxTmpfsBytes: 64 * MIB,
        maxFileBytes: 8 * MIB,
      },
      maxSandboxes: 3,
    });
    const message = "must be at most 536870912 (PROXY_MAX_MEMORY_MB=512), got 1073741824";
    await expect(check(body(), config.caps)).rejects.toThrow(`HostConfig.Memory ${message}`);
  });

  test("an invalid setting is refused, naming the variable", () => {
    const bad = {
      PROXY_MAX_MEMORY_MB: "4g",
      PROXY_MAX_CPUS: "-1",
      PROXY_MAX_PIDS: "0",
      PROXY_MAX_TMPFS_MB: "1.5",
      PROXY_MAX_FILE_MB: "99999999999999",
      PROXY_MAX_SANDBOXES: "many",
    };
    for (const [name, value] of Object.entries(bad)) {
      expect(() => readProxyConfig({ [name]: value }), name).toThrow(
        new RegExp(`${name} must be .*"${value}"`),
      );
    }
  });

  test("memory, CPUs and pids above their caps are refused, naming the field and the setting", async () => {
    await refused((b) => {
      b.HostConfig.Memory = b.HostConfig.MemorySwap = 4097 * MIB;
    }, /refused: HostConfig\.Memory must be at most 4294967296 \(PROXY_MAX_MEMORY_MB=4096\), got 4296015872/);
    await refused((b) => {
      b.HostConfig.NanoCpus = 4e9 + 1;
    }, /HostConfig\.NanoCpus must be at most 4000000000 \(PROXY_MAX_CPUS=4\), got 4000000001/);
    await refused((b) => {
      b.HostConfig.PidsLimit = 1025;
    }, /HostConfig\.PidsLimit must be at most 1024 \(PROXY_MAX_PIDS=1024\), got 1025/);
    await refused((b) => {
      b.HostConfig.PidsLimit = -1;
    }, /HostConfig\.PidsLimit must be set to a positive integer/);
  });

  test("every tmpfs needs a positive size under PROXY_MAX_TMPFS_MB, set only by size=", async () => {
    expect([tmpfsSizeBytes("size=128m"), tmpfsSizeBytes("size=2G"), tmpfsSizeBytes("size=10%")]).toEqual([
      128 * MIB,
      2048 * MIB,
      undefined,
    ]);
    const tmp = (options: string) => (b: Body) => {
      b.HostConfig.Tmpfs = { "/tmp": options };
    };
    await refused(
      tmp("rw,size=2049m"),
      /HostConfig\.Tmpfs\["\/tmp"\] size must be at most 2048m \(PROXY_MAX_TMPFS_MB=2048\)/,
    );
    await refused(tmp("rw,size=1m,size=3g"), /size must be at most 2048m/);
    await refused(tmp("rw,noexec"), /HostConfig\.Tmpfs\["\/tmp"\] must set a size/);
    await refused(tmp("size=0"), /must give size= as a positive number/);
    await refused(tmp("size=50%"), /must give size= as a positive number/);
    await refused(tmp("size=1m,nr_blocks=99999999"), /may not hold "nr_blocks=99999999"/);
  });

  test("ulimits: only nofile, fsize and core, never unlimited, each under its cap", async () => {
    const ulimit = (Name: string, Soft: number, Hard = Soft) => (b: Body) => {
      b.HostConfig.Ulimits = [{ Name, Soft, Hard }];
    };
    await refused(
      ulimit("fsize", 1025 * MIB),
      /Ulimits\[0\]\.Hard fsize must be at most 1073741824 \(PROXY_MAX_FILE_MB=1024\)/,
    );
    await refused(ulimit("fsize", -1), /Ulimits\[0\] fsize needs 0 <= Soft <= Hard, got -1 and -1/);
    await refused(ulimit("nofile", 1024, 1048576), /Ulimits\[0\]\.Hard nofile must be at most 65536/);
    await refused(ulimit("nofile", 2048, 1024), /nofile needs 0 <= Soft <= Hard/);
    await refused(ulimit("core", 1), /Ulimits\[0\]\.Hard core must be at most 0/);
    await refused(ulimit("rtprio", 99), /Ulimits\[0\]\.Name may only be nofile, fsize or core, got "rtprio"/);
    await expect(check(Object.assign(body(), { HostConfig: { ...body().HostConfig, Ulimits: null } })))
      .resolves.toBeDefined();
  });

  test("the container's log must be rotated within a fixed size", async () => {
    const log = (LogConfig: unknown) => (b: Body) => {
      b.HostConfig.LogConfig = LogConfig;
    };
    await refused(log(undefined), /HostConfig\.LogConfig is required/);
    await refused(
      log({ Type: "json-file" }),
      /LogConfig\.Config\.max-size must be set, at most 16m, got nothing/,
    );
    await refused(
      log({ Type: "json-file", Config: { "max-size": "1g", "max-file": "1" } }),
      /max-size must be set/,
    );
    await refused(
      log({ Type: "local", Config: { "max-size": "1m", "max-file": "100" } }),
      /max-file must be set, at most 4/,
    );
    await refused(
      log({ Type: "", Config: { "max-size": "1m", "max-file": "1" } }),
      /LogConfig\.Type must be/,
    );
  });
});

describe("the sandbox count", () => {
  test("creates are counted one at a time, so concurrent ones cannot all slip under the cap", async () => {
    const created: string[] = [];
    const targets: string[] = [];
    const cap = createSandboxCap("/nonexistent", 2, {
      alsoLabelled: { run: "x" },
      get: (target) => {
        targets.push(target);
        return Promise.resolve({ status: 200, json: created.map((id) => ({ Id: id })) });
      },
    });
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map(async (i) => {
        const release = await cap.admit("container");
        await new Promise((r) => setTimeout(r, 5)); // the engine creating it
        created.push(String(i));
        release();
      }),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const refusals = results.flatMap((r) => r.status === "rejected" ? [r.reason as ProxyRefusal] : []);
    expect(refusals.map((r) => r.status)).toEqual([429, 429]);
    expect(refusals[0]!.message).toBe(
      "docker-proxy: POST /containers/create refused: PROXY_MAX_SANDBOXES=2 managed containers already exist (2); " +
        "remove one first",
    );
    expect(decodeURIComponent(targets[0]!)).toBe(
      '/containers/json?all=1&filters={"label":["dev.backend-agent.managed=true","run=x"]}',
    );
  });

  test("a release called twice lets exactly one waiting create in", async () => {
    const cap = createSandboxCap("/nonexistent", 10, {
      get: () => Promise.resolve({ status: 200, json: [] }),
    });
    const first = await cap.admit("container");
    const order: string[] = [];
    const second = cap.admit("container").then((release) => (order.push("second"), release));
    const third = cap.admit("container").then((release) => (order.push("third"), release));
    first();
    first();
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(["second"]);
    (await second)();
    (await third)();
    expect(order).toEqual(["second", "third"]);
  });

  test("volumes are counted apart, and an engine that cannot count refuses the create", async () => {
    const cap = createSandboxCap("/nonexistent", 1, {
      get: (target) =>
        Promise.resolve(
          target.startsWith("/volumes")
            ? { status: 200, json: { Volumes: [{}] } }
            : { status: 500, json: {} },
        ),
    });
    await expect(cap.admit("volume")).rejects.toThrow(
      /POST \/volumes\/create refused: PROXY_MAX_SANDBOXES=1/,
    );
    await expect(cap.admit("container")).rejects.toMatchObject({ status: 502 });
  });
});
