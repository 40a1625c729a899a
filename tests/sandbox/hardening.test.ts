import { describe, expect, test } from "vitest";
import { buildCreateBody, buildVolumeBody, type CreateBodyInput } from "../../src/sandbox/hardening.ts";
import { DEFAULT_SANDBOX_LIMITS, LABELS, type SandboxLimits } from "../../src/sandbox/limits.ts";

const MIB = 1024 * 1024;
const input: CreateBodyInput = {
  name: "backend-agent-job-1",
  volume: "backend-agent-job-1-workspace",
  labels: { "dev.backend-agent.job": "job-1" },
};

describe("the hardened create body (a pure function)", () => {
  const body = buildCreateBody(input, DEFAULT_SANDBOX_LIMITS);
  const host = body.HostConfig!;

  test("runs its init as the programs user with every capability dropped, no new privileges and a read-only root", () => {
    // Execs name their user: the agent's run as 1000:1000, out of reach of this init.
    expect(body.User).toBe("1001:1000");
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Privileged).toBe(false);
  });

  test("has no network and no host namespaces", () => {
    expect(host.NetworkMode).toBe("none");
    expect(body.NetworkDisabled).toBe(true);
    expect(host.IpcMode).toBe("private");
    expect(host.PidMode).toBe("");
    expect(host.UTSMode).toBe("");
    expect(host).not.toHaveProperty("UsernsMode");
    expect(host).not.toHaveProperty("CgroupnsMode");
  });

  test("bounds pids, memory without swap, CPU, open files, core dumps and file size, with an init process", () => {
    expect(host.PidsLimit).toBe(256);
    expect(host.Memory).toBe(1024 * MIB);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.NanoCpus).toBe(1e9);
    expect(host.Ulimits).toEqual([
      { Name: "nofile", Soft: 1024, Hard: 1024 },
      { Name: "core", Soft: 0, Hard: 0 },
      { Name: "fsize", Soft: 64 * MIB, Hard: 64 * MIB },
    ]);
    expect(host.Init).toBe(true);
    expect(host.RestartPolicy).toEqual({ Name: "no" });
  });

  test("mounts only the workspace volume and noexec tmpfs for /tmp and $HOME: no binds, no socket, no devices", () => {
    expect(host.Mounts).toEqual([
      { Type: "volume", Source: input.volume, Target: "/workspace", ReadOnly: false },
    ]);
    expect(host.Tmpfs).toEqual({
      "/tmp": "rw,noexec,nosuid,nodev,size=128m",
      "/home/sandbox": "rw,noexec,nosuid,nodev,size=16m,uid=1000,gid=1000,mode=0700",
    });
    expect(host).not.toHaveProperty("Binds");
    expect(host).not.toHaveProperty("Devices");
    expect(host).not.toHaveProperty("VolumesFrom");
    expect(JSON.stringify(body)).not.toContain("docker.sock");
  });

  test("never adds capabilities, never unmasks /proc paths, never runs privileged", () => {
    expect(host).not.toHaveProperty("CapAdd");
    expect(host).not.toHaveProperty("MaskedPaths");
    expect(host).not.toHaveProperty("ReadonlyPaths");
    expect(host).not.toHaveProperty("DeviceRequests");
  });

  test("gets a fixed environment and labels that mark it as this service's, whatever the job's labels say", () => {
    expect(body.Env).toEqual([
      "HOME=/home/sandbox",
      "PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin",
      "VIRTUAL_ENV=/opt/venv",
      "LANG=C.UTF-8",
      "PYTHONDONTWRITEBYTECODE=1",
      "PYTHONUNBUFFERED=1",
    ]);
    const sneaky = buildCreateBody(
      { ...input, labels: { [LABELS.managed]: "false", [LABELS.sandbox]: "other" } },
      DEFAULT_SANDBOX_LIMITS,
    );
    expect(sneaky.Labels).toMatchObject({ [LABELS.managed]: "true", [LABELS.sandbox]: input.name });
    expect(body.Labels).toMatchObject({ "dev.backend-agent.job": "job-1" });
  });

  test("limits from config shape it", () => {
    const limits: SandboxLimits = {
      ...DEFAULT_SANDBOX_LIMITS,
      image: "example/sandbox:7",
      memoryMb: 512,
      cpus: 1.5,
      pidsLimit: 99,
      tmpMb: 32,
      maxFileMb: 8,
    };
    const shaped = buildCreateBody(input, limits);
    expect(shaped.Image).toBe("example/sandbox:7");
    expect(shaped.HostConfig).toMatchObject({
      Memory: 512 * MIB,
      MemorySwap: 512 * MIB,
      NanoCpus: 1.5e9,
      PidsLimit: 99,
      Tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=32m" },
    });
    expect(shaped.HostConfig!.Ulimits).toContainEqual({ Name: "fsize", Soft: 8 * MIB, Hard: 8 * MIB });
  });

  test("a job cannot widen it: fields smuggled into the job's input are ignored", () => {
    const smuggled = {
      ...input,
      HostConfig: { Privileged: true, Binds: ["/:/host"], CapAdd: ["SYS_ADMIN"], NetworkMode: "host" },
      User: "0:0",
      Image: "evil",
    } as unknown as CreateBodyInput;
    expect(buildCreateBody(smuggled, DEFAULT_SANDBOX_LIMITS)).toEqual(body);
  });

  test("the OCI runtime is passed through only when set", () => {
    expect(host).not.toHaveProperty("Runtime");
    const gvisor = buildCreateBody(input, { ...DEFAULT_SANDBOX_LIMITS, runtime: "runsc" });
    expect(gvisor.HostConfig!.Runtime).toBe("runsc");
  });
});

describe("the workspace volume body", () => {
  test("is a tmpfs of the configured size owned by uid 1000 and writable by its group, labelled", () => {
    const volume = buildVolumeBody("v1", { ...DEFAULT_SANDBOX_LIMITS, workspaceMb: 300 }, { a: "b" });
    expect(volume).toEqual({
      Name: "v1",
      Driver: "local",
      DriverOpts: { type: "tmpfs", device: "tmpfs", o: "size=300m,uid=1000,gid=1000,mode=0775" },
      Labels: { a: "b", [LABELS.managed]: "true", [LABELS.sandbox]: "v1" },
    });
  });
});
