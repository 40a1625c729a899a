/**
 * The hardened container-create body, built by one pure function whose field
 * names are the Engine API's own (`POST /containers/create`).
 */
import type { ContainerCreateOptions } from "dockerode";
import { LABELS, PROGRAMS_USER, type SandboxLimits } from "./limits.ts";
import { WORKSPACE } from "./sandbox.ts";

const MIB = 1024 * 1024;

/**
 * The only environment a sandbox gets: nothing is inherited from the host. The virtualenv the
 * setup container installed the repo's dependencies into (`/opt/venv`, read-only here) comes first.
 */
export const SANDBOX_ENV = [
  "HOME=/home/sandbox",
  "PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin",
  "VIRTUAL_ENV=/opt/venv",
  "LANG=C.UTF-8",
  "PYTHONDONTWRITEBYTECODE=1",
  "PYTHONUNBUFFERED=1",
];

/**
 * The environment of the image's own programs (run as `PROGRAMS_USER`): the system's python3 and
 * git only, never the repo's virtualenv, whose packages (and their `.pth` start-up hooks) come
 * from the repo. `/usr/local/bin` holds python3 in the registry-built image (`python:3.12-slim`),
 * `/usr/bin` in the air-gapped one; both are root-owned, so setup cannot put a program there.
 */
export const PROGRAMS_ENV = [
  "HOME=/nonexistent",
  "PATH=/usr/local/bin:/usr/bin:/bin",
  "VIRTUAL_ENV=",
  "LANG=C.UTF-8",
];

/** Input for {@link buildCreateBody}. */
export interface CreateBodyInput {
  /** Container name. */
  name: string;
  /** Named volume mounted at /workspace. */
  volume: string;
  /** Labels to add to the managed-by labels. */
  labels: Record<string, string>;
}

/**
 * Builds the create body for a sandbox container: non-root, no capabilities,
 * no new privileges, read-only root, no network, bounded pids/memory/cpu/files,
 * an init process, tmpfs for /tmp and $HOME, the workspace volume, and labels.
 * Nothing from the job can widen these: only `limits` (from config) shapes them.
 */
export function buildCreateBody(input: CreateBodyInput, limits: SandboxLimits): ContainerCreateOptions {
  const fsize = limits.maxFileMb * MIB;
  return {
    name: input.name,
    Image: limits.image,
    Cmd: ["sleep", "infinity"],
    // The init and its `sleep` run as the programs user, so killing every process of the sandbox
    // user (before the host trusts an output) leaves the container running.
    User: PROGRAMS_USER,
    WorkingDir: WORKSPACE,
    Env: [...SANDBOX_ENV],
    Labels: { ...input.labels, [LABELS.managed]: "true", [LABELS.sandbox]: input.name },
    NetworkDisabled: true,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      NetworkMode: "none",
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      PidsLimit: limits.pidsLimit,
      Memory: limits.memoryMb * MIB,
      MemorySwap: limits.memoryMb * MIB,
      NanoCpus: Math.round(limits.cpus * 1e9),
      Ulimits: [
        { Name: "nofile", Soft: 1024, Hard: 1024 },
        { Name: "core", Soft: 0, Hard: 0 },
        { Name: "fsize", Soft: fsize, Hard: fsize },
      ],
      Init: true,
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "1" } },
      IpcMode: "private",
      PidMode: "",
      UTSMode: "",
      Privileged: false,
      Tmpfs: {
        "/tmp": `rw,noexec,nosuid,nodev,size=${limits.tmpMb}m`,
        "/home/sandbox": "rw,noexec,nosuid,nodev,size=16m,uid=1000,gid=1000,mode=0700",
      },
      Mounts: [{ Type: "volume", Source: input.volume, Target: WORKSPACE, ReadOnly: false }],
      ...(limits.runtime ? { Runtime: limits.runtime } : {}),
    },
  };
}

/**
 * The create body for the workspace volume: tmpfs-backed, owned by the sandbox user and writable by
 * its group, which the programs user is in.
 */
export function buildVolumeBody(
  name: string,
  limits: SandboxLimits,
  labels: Record<string, string>,
): { Name: string; Driver: string; DriverOpts: Record<string, string>; Labels: Record<string, string> } {
  return {
    Name: name,
    Driver: "local",
    DriverOpts: {
      type: "tmpfs",
      device: "tmpfs",
      o: `size=${limits.workspaceMb}m,uid=1000,gid=1000,mode=0775`,
    },
    Labels: { ...labels, [LABELS.managed]: "true", [LABELS.sandbox]: name },
  };
}
