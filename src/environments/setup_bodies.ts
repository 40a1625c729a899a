/**
 * The create bodies of a setup's parts, built by pure functions from the sandbox's hardened body
 * (`sandbox/hardening.ts`): non-root, every capability dropped, no-new-privileges, pids, memory,
 * CPU and file limits, an init, labels. What differs is said here, and the Docker API proxy
 * (`docker_proxy/setup_policy.ts`) allows exactly these differences.
 *
 * - The setup container: writable root (what it installs into /opt/venv becomes the image), on the
 *   internal network only, /workspace a tmpfs (the repo, never committed), /tmp executable (pip
 *   builds run from it).
 * - The proxy container: read-only root, on the egress network (then connected to the internal
 *   one), running `egress_proxy.py` with the allowlist and nothing else, small limits.
 * - The networks: plain bridges, the internal one with no route out (`Internal`).
 */
import type { ContainerCreateOptions, NetworkCreateOptions } from "dockerode";
import { buildCreateBody } from "../sandbox/hardening.ts";
import { SANDBOX_USER, type SandboxLimits } from "../sandbox/limits.ts";

const MIB = 1024 * 1024;

/** The proxy's port on the internal network (`images/python-sandbox/egress/squid.conf`). */
export const PROXY_PORT = 8888;

/** The command of the proxy container, followed by the allowed hosts. */
export const PROXY_COMMAND = ["python3", "-I", "/opt/backend-agent/egress_proxy.py"] as const;

/** The proxy container's limits: squid, relaying without a cache, needs little. */
export const PROXY_LIMITS = { memoryMb: 64, cpus: 0.5, pidsLimit: 128, tmpMb: 16 } as const;

/** Input of {@link setupContainerBody} and {@link proxyContainerBody}. */
export interface SetupBodyInput {
  /** Container name. */
  name: string;
  /** The network it is created on. */
  network: string;
  /** Its labels (from `setupLabels`). */
  labels: Record<string, string>;
}

/** The setup container: the sandbox's hardening, a writable root, the internal network only. */
export function setupContainerBody(input: SetupBodyInput, limits: SandboxLimits): ContainerCreateOptions {
  const base = buildCreateBody({ name: input.name, volume: "", labels: input.labels }, limits);
  const { Mounts: _mounts, ...host } = base.HostConfig!;
  return {
    ...base,
    // The init and its `sleep` run as the programs user (the base body's), setup's execs as the sandbox
    // user, who owns /opt/venv: so every process setup started can be killed before the credential scan
    // and the commit, and the container keeps running.
    Labels: input.labels,
    NetworkDisabled: false,
    HostConfig: {
      ...host,
      NetworkMode: input.network,
      ReadonlyRootfs: false,
      Tmpfs: {
        "/tmp": `rw,nosuid,nodev,size=${limits.tmpMb}m`,
        "/home/sandbox": "rw,noexec,nosuid,nodev,size=16m,uid=1000,gid=1000,mode=0700",
        "/workspace": `rw,nosuid,nodev,size=${limits.workspaceMb}m,uid=1000,gid=1000,mode=0755`,
      },
    },
  };
}

/** The proxy container: the sandbox's hardening, read-only root, squid with `allowlist`. */
export function proxyContainerBody(
  input: SetupBodyInput & { allowlist: readonly string[] },
  limits: SandboxLimits,
): ContainerCreateOptions {
  const small = { ...limits, ...PROXY_LIMITS };
  const base = buildCreateBody({ name: input.name, volume: "", labels: input.labels }, small);
  const { Mounts: _mounts, ...host } = base.HostConfig!;
  return {
    ...base,
    User: SANDBOX_USER,
    Labels: input.labels,
    Cmd: [...PROXY_COMMAND, ...input.allowlist],
    NetworkDisabled: false,
    HostConfig: {
      ...host,
      NetworkMode: input.network,
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": `rw,noexec,nosuid,nodev,size=${PROXY_LIMITS.tmpMb}m` },
      Memory: PROXY_LIMITS.memoryMb * MIB,
      MemorySwap: PROXY_LIMITS.memoryMb * MIB,
    },
  };
}

/** A setup network: a bridge, `internal` ones without a route out. */
export function networkBody(
  name: string,
  internal: boolean,
  labels: Record<string, string>,
): NetworkCreateOptions {
  return { Name: name, Driver: "bridge", Internal: internal, CheckDuplicate: true, Labels: labels };
}
