/** Resource limits and settings applied to every sandbox. */
export interface SandboxLimits {
  /** Image to run. Default `backend-agent/python-sandbox:latest`. */
  image: string;
  /** Memory (and memory+swap: no swap) in MiB. Default 1024. */
  memoryMb: number;
  /** CPUs, fractional allowed. Default 1. */
  cpus: number;
  /** Max processes/threads in the container. Default 256. */
  pidsLimit: number;
  /** Size of the tmpfs-backed /workspace volume in MiB. Default 512. */
  workspaceMb: number;
  /** Size of /tmp (tmpfs, noexec) in MiB. Default 128. */
  tmpMb: number;
  /** Largest file a process may write, MiB (ulimit fsize). Default 64. */
  maxFileMb: number;
  /** Default per-command timeout in ms. Default 120000. */
  commandTimeoutMs: number;
  /** Default cap on stdout and on stderr per command, bytes. Default 64 KiB. */
  maxOutputBytes: number;
  /** OCI runtime (e.g. `runsc` for gVisor); undefined = the engine's default. */
  runtime?: string;
}

/** Safe defaults for {@link SandboxLimits}. */
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  image: "backend-agent/python-sandbox:latest",
  memoryMb: 1024,
  cpus: 1,
  pidsLimit: 256,
  workspaceMb: 512,
  tmpMb: 128,
  maxFileMb: 64,
  commandTimeoutMs: 120_000,
  maxOutputBytes: 64 * 1024,
};

/** The uid:gid the agent's processes run as: its bash session, its tests and everything they start. */
export const SANDBOX_USER = "1000:1000";

/**
 * The uid:gid of the image's own programs (`/opt/backend-agent/…`: the editor, the change
 * extraction) and of the container's init: a second user in the sandbox's group, so it shares the
 * workspace, but the sandbox user's processes cannot signal it, trace it or read its memory
 * through `/proc` (the kernel lets only the same uid, or a capability none of them has, do that).
 */
export const PROGRAMS_USER = "1001:1000";

/** Label keys put on everything the service creates in Docker. */
export const LABELS = {
  managed: "dev.backend-agent.managed",
  sandbox: "dev.backend-agent.sandbox",
  createdAt: "dev.backend-agent.created-at",
  /** The job a sandbox works for (set by the pipeline). */
  job: "dev.backend-agent.job",
} as const;
