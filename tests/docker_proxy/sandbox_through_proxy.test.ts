import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDockerSandboxFactory } from "../../src/sandbox/docker_sandbox.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { reapSandboxes } from "../../src/sandbox/reaper.ts";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { tarOf, testLimits } from "../sandbox/sandbox_fixture.ts";
import {
  containerExists,
  direct,
  type ProxyUnderTest,
  startTestProxy,
  uniqueName,
  volumeExists,
} from "./proxy_fixture.ts";

/** Only this file's sandboxes are ever reaped, whatever else runs on the engine meanwhile. */
const RUN = { "dev.backend-agent.test-run": crypto.randomUUID() };

describe("the service's sandbox works through the proxy, end to end", () => {
  let under: ProxyUnderTest;
  let sandbox: Sandbox;
  const names: string[] = [];

  beforeAll(async () => {
    under = startTestProxy();
    const factory = createDockerSandboxFactory(under.docker, {
      limits: testLimits(),
      maxSeedBytes: 64 * 1024 * 1024,
    });
    const name = uniqueName("sandbox");
    names.push(name);
    sandbox = await factory.create({
      name,
      seed: await tarOf({ "README.md": "hello through the proxy\n" }),
      labels: { "dev.backend-agent.test": "true", ...RUN },
    });
  });

  afterAll(async () => {
    await sandbox?.dispose().catch(() => undefined);
    for (const name of names) {
      await direct.getContainer(name).remove({ force: true }).catch(() => undefined);
      await direct.getVolume(`${name}-workspace`).remove({ force: true }).catch(() => undefined);
    }
    await under?.proxy.close();
  });

  test("create seeded the workspace and committed the baseline over the hijacked session", async () => {
    expect(sandbox.baselineSha).toMatch(/^[0-9a-f]{40}$/);
    expect((await sandbox.run(["cat", "/workspace/README.md"])).stdout).toBe("hello through the proxy\n");
  });

  test("run() passes stdin and its end through the proxy, and returns the exit code", async () => {
    const cat = await sandbox.run(["cat"], { stdin: "piped through\n" });
    expect(cat).toMatchObject({ exitCode: 0, stdout: "piped through\n", timedOut: false });
    expect((await sandbox.run(["bash", "-c", "exit 7"])).exitCode).toBe(7);
  });

  test("bash() keeps one persistent session through the proxy: cwd and exports survive", async () => {
    expect((await sandbox.bash("cd /tmp && export PROXIED=yes")).exitCode).toBe(0);
    const next = await sandbox.bash("pwd; echo $PROXIED; echo oops >&2; false");
    expect(next).toMatchObject({ exitCode: 1, stdout: "/tmp\nyes\n", stderr: "oops\n" });
  });

  test("a command's timeout still kills it and leaves the session usable", async () => {
    const slow = await sandbox.bash("sleep 30", { timeoutMs: 1_000 });
    expect(slow.timedOut).toBe(true);
    expect((await sandbox.bash("echo alive")).stdout).toBe("alive\n");
  });

  test("isolation holds for a sandbox made through the proxy: uid 1000, only lo, no way out", async () => {
    expect((await sandbox.run(["id", "-u"])).stdout.trim()).toBe("1000");
    expect((await sandbox.run(["ls", "/sys/class/net"])).stdout.trim().split(/\s+/)).toEqual(["lo"]);
    const status = (await sandbox.run(["cat", "/proc/self/status"])).stdout;
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    const info = await direct.getContainer(sandbox.name).inspect();
    expect(info.HostConfig.NetworkMode).toBe("none");
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
  });

  test("listing through the proxy shows managed containers only", async () => {
    const outsider = await direct.createContainer({
      name: uniqueName("outsider"),
      Image: testLimits().image,
      Cmd: ["true"],
      Labels: { "dev.backend-agent.test": "true" },
      HostConfig: { NetworkMode: "none" },
    });
    try {
      const all = await under.docker.listContainers({ all: true });
      expect(all.map((c) => c.Id)).not.toContain(outsider.id);
      expect(all.every((c) => c.Labels[LABELS.managed] === "true")).toBe(true);
      const mine = await under.docker.listContainers({
        all: true,
        filters: JSON.stringify({ label: [`${LABELS.sandbox}=${sandbox.name}`] }),
      });
      expect(mine.map((c) => c.Names[0])).toEqual([`/${sandbox.name}`]);
      const { Volumes } = await under.docker.listVolumes();
      expect((Volumes ?? []).every((v) => v.Labels?.[LABELS.managed] === "true")).toBe(true);
    } finally {
      await outsider.remove({ force: true });
    }
  });

  test("dispose removes the container and the volume through the proxy, and is idempotent", async () => {
    await sandbox.dispose();
    await sandbox.dispose();
    expect(await containerExists(sandbox.name)).toBe(false);
    expect(await volumeExists(`${sandbox.name}-workspace`)).toBe(false);
  });

  test("the reaper lists and removes a lost sandbox through the proxy", async () => {
    const factory = createDockerSandboxFactory(under.docker, {
      limits: testLimits(),
      maxSeedBytes: 64 * 1024 * 1024,
    });
    const name = uniqueName("lost");
    names.push(name);
    await factory.create({ name, seed: await tarOf({ "a.txt": "a\n" }), labels: RUN }); // never disposed: "crashed"
    expect(await containerExists(name)).toBe(true);
    const removed = await reapSandboxes(under.docker, { withLabels: RUN });
    expect(removed.sort()).toEqual([name, `${name}-workspace`]);
    expect(await containerExists(name)).toBe(false);
    expect(await volumeExists(`${name}-workspace`)).toBe(false);
  });

  test("no request of the service's own was refused", () => {
    expect(under.audit).toEqual([]);
  });
});
