import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox/sandbox.ts";
import { docker, newSandbox } from "./sandbox_fixture.ts";

describe("a sandbox is isolated, proved from inside it", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await newSandbox();
  });
  afterAll(async () => {
    await sandbox?.dispose();
  });

  test("the engine holds the hardened HostConfig the create body asked for", async () => {
    const info = await docker.getContainer(sandbox.name).inspect();
    const host = info.HostConfig;
    expect(info.Config.User).toBe("1001:1000"); // the init, as the programs user; execs name theirs
    expect(host.NetworkMode).toBe("none");
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.SecurityOpt).toContain("no-new-privileges");
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Privileged).toBe(false);
    expect(host.Memory).toBe(256 * 1024 * 1024);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.PidsLimit).toBe(64);
    expect(host.Init).toBe(true);
    expect(host.Binds ?? []).toEqual([]);
    expect(host.Devices ?? []).toEqual([]);
    expect(info.Mounts.map((m) => m.Destination).sort()).toEqual(["/workspace"]);
  });

  test("only the loopback interface exists and a TCP connect out fails", async () => {
    const ifaces = await sandbox.run(["ls", "/sys/class/net"]);
    expect(ifaces.stdout.trim().split(/\s+/)).toEqual(["lo"]);
    const connect = await sandbox.run([
      "python3",
      "-c",
      "import socket\ntry:\n socket.create_connection(('172.17.0.1', 2375), timeout=3)\n print('connected')\nexcept OSError as e:\n print('refused', e.errno)",
    ]);
    expect(connect.stdout).toMatch(/^refused/);
    const dns = await sandbox.run([
      "python3",
      "-c",
      "import socket\ntry:\n socket.getaddrinfo('github.com', 443)\n print('resolved')\nexcept OSError:\n print('no dns')",
    ]);
    expect(dns.stdout.trim()).toBe("no dns");
  });

  test("commands run as a non-root user with no capabilities and no way to gain privileges", async () => {
    expect((await sandbox.run(["id", "-u"])).stdout.trim()).toBe("1000");
    const status = (await sandbox.run(["cat", "/proc/self/status"])).stdout;
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^CapPrm:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    const setuid = await sandbox.run(["find", "/", "-xdev", "-perm", "/6000", "-type", "f"]);
    expect(setuid.stdout.trim()).toBe("");
    expect((await sandbox.run(["bash", "-c", "command -v sudo || echo none"])).stdout.trim()).toBe("none");
  });

  test("the root filesystem is read-only; /workspace and /tmp are writable, /tmp is noexec", async () => {
    const usr = await sandbox.run(["bash", "-c", "echo x > /usr/evil"]);
    expect(usr.exitCode).not.toBe(0);
    expect(usr.stderr).toMatch(/Read-only file system/);
    expect(
      (await sandbox.run(["bash", "-c", "echo ok > /workspace/new.txt && cat /workspace/new.txt"])).stdout,
    ).toBe("ok\n");
    const exec = await sandbox.run([
      "bash",
      "-c",
      "printf '#!/bin/sh\\necho ran\\n' > /tmp/x.sh && chmod +x /tmp/x.sh && /tmp/x.sh",
    ]);
    expect(exec.exitCode).not.toBe(0);
    expect(exec.stderr).toMatch(/Permission denied/);
  });

  test("a host environment canary is absent from the container's environment and from PID 1", async () => {
    const canary = `canary-${crypto.randomUUID()}`;
    Deno.env.set("BACKEND_AGENT_CANARY", canary);
    try {
      const probe = await newSandbox();
      try {
        const env = await probe.run(["env"]);
        // PID 1 is the programs user's: only that user can read its environment.
        const pid1 = await probe.run(["bash", "-c", "tr '\\0' '\\n' < /proc/1/environ"], {
          user: "programs",
        });
        expect(pid1.stdout).toContain("HOME=/home/sandbox");
        const shell = await probe.bash("env");
        for (const out of [env.stdout, pid1.stdout, shell.stdout]) {
          expect(out).not.toContain(canary);
          expect(out).not.toMatch(/GITHUB_TOKEN|ANTHROPIC_API_KEY/);
        }
        expect(env.stdout).toContain("HOME=/home/sandbox");
      } finally {
        await probe.dispose();
      }
    } finally {
      Deno.env.delete("BACKEND_AGENT_CANARY");
    }
  });
});

describe("resource limits hold, and the sandbox survives them", () => {
  test("a fork bomb is stopped by PidsLimit while the host stays responsive", async () => {
    const sandbox = await newSandbox();
    try {
      const program = [
        "import os, time",
        "n = 0",
        "try:",
        "    while n < 1000:",
        "        if os.fork() == 0:",
        "            os.close(1); os.close(2); time.sleep(3); os._exit(0)",
        "        n += 1",
        "except OSError as e:",
        "    print('stopped', n, e.strerror, flush=True)",
      ].join("\n");
      const bomb = await sandbox.run(["python3", "-c", program]);
      const [, forks] = bomb.stdout.match(/^stopped (\d+) Resource temporarily unavailable/) ?? [];
      expect(bomb.stdout).toMatch(/^stopped/);
      expect(Number(forks)).toBeLessThan(64);
      expect(Number(forks)).toBeGreaterThan(10);
      expect(String(await docker.ping())).toBe("OK");
      await new Promise((r) => setTimeout(r, 4_000));
      expect((await sandbox.run(["echo", "alive"])).stdout).toBe("alive\n");
    } finally {
      await sandbox.dispose();
    }
  });

  test("a memory bomb is killed by the memory limit and the sandbox keeps working", async () => {
    const sandbox = await newSandbox();
    try {
      const bomb = await sandbox.run([
        "python3",
        "-c",
        "a = bytearray(1024 * 1024 * 1024); print('allocated')",
      ]);
      expect(bomb.stdout).not.toContain("allocated");
      expect(bomb.exitCode).not.toBe(0);
      expect(bomb.timedOut).toBe(false);
      expect((await sandbox.run(["echo", "alive"])).stdout).toBe("alive\n");
    } finally {
      await sandbox.dispose();
    }
  });
});

describe("dispose", () => {
  test("removes the container and its volume, and a second dispose is harmless", async () => {
    const sandbox = await newSandbox();
    await sandbox.dispose();
    await sandbox.dispose();
    const filters = JSON.stringify({ label: [`dev.backend-agent.sandbox=${sandbox.name}`] });
    expect(await docker.listContainers({ all: true, filters })).toEqual([]);
    const volumes = JSON.stringify({ label: [`dev.backend-agent.sandbox=${sandbox.name}-workspace`] });
    expect((await docker.listVolumes({ filters: volumes })).Volumes ?? []).toEqual([]);
    await expect(sandbox.run(["true"])).rejects.toThrow(/disposed/);
  });
});
