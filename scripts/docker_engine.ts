import { tmpdir } from "node:os";
import { aptInstall } from "./apt_install.ts";
import { findExecutable, pathWithSystemDirs } from "./find_executable.ts";
import { canInstallWithApt } from "./os_release.ts";
import { runCommand, tailLines } from "./run_command.ts";
import { exitWithError, SetupError } from "./setup_error.ts";

/** Where a dockerd started by {@link ensureDockerEngine} writes its log. */
export const DOCKERD_LOG_FILE = `${tmpdir()}/backend-agent-dockerd.log`;

/** Options for {@link ensureDockerEngine}. */
export interface EnsureDockerEngineOptions {
  /** Progress lines go here (default `console.log`). */
  log?: (line: string) => void;
  /** How long a starting engine may take to answer (default 60 000 ms). */
  startTimeoutMs?: number;
}

/** The reachable engine. */
export interface DockerEngine {
  serverVersion: string;
  /** True when this call installed or started it. */
  started: boolean;
}

/**
 * Makes sure a Docker engine answers `docker info`. When none does and we run
 * as root on Debian/Ubuntu (and `DOCKER_HOST` is not set), installs `docker.io`
 * with apt-get if `dockerd` is missing and starts the engine (systemd when it
 * runs, else a detached `dockerd` that outlives this process, logging to
 * {@link DOCKERD_LOG_FILE}), saying so. Needs `-A` (runs docker, apt-get, dockerd).
 * @throws {SetupError} elsewhere, with one message naming the fix; or when
 *   the started engine does not answer in time.
 */
export async function ensureDockerEngine(options: EnsureDockerEngineOptions = {}): Promise<DockerEngine> {
  const log = options.log ?? console.log;
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const first = await dockerInfo();
  if (first.ok) return { serverVersion: first.version, started: false };

  const dockerHost = Deno.env.get("DOCKER_HOST");
  if (dockerHost) {
    throw new SetupError(
      `No Docker engine answers at DOCKER_HOST=${dockerHost}. Start it (or unset DOCKER_HOST) and run again.`,
    );
  }
  if (!canInstallWithApt()) throw new SetupError(unreachableMessage(first.error, first.missing));

  if (!findExecutable("dockerd") || first.missing) {
    log("docker engine: installing docker.io with apt-get (root on Debian/Ubuntu, no engine found)");
    await aptInstall(["docker.io"]);
    const afterInstall = await dockerInfo();
    if (afterInstall.ok) return { serverVersion: afterInstall.version, started: true };
  }

  if (runningDockerdPid() !== undefined) {
    log("docker engine: dockerd is running but not answering yet; waiting");
  } else if (await startWithSystemd()) {
    log("docker engine: started the docker service with systemctl");
  } else {
    startDetachedDockerd();
    log(`docker engine: started dockerd in the background (log: ${DOCKERD_LOG_FILE})`);
  }
  const version = await waitForEngine(timeoutMs);
  if (version !== undefined) return { serverVersion: version, started: true };
  throw new SetupError(
    `The Docker engine did not answer within ${
      timeoutMs / 1000
    } s. Its log (${DOCKERD_LOG_FILE}) ends with:\n${tailLines(readLog())}`,
  );
}

type InfoResult =
  | { ok: true; version: string }
  | { ok: false; error: string; missing: boolean };

async function dockerInfo(): Promise<InfoResult> {
  const result = await runCommand("docker", ["info", "--format", "{{.ServerVersion}}"], {
    timeoutMs: 20_000,
  });
  const version = result.stdout.trim();
  if (result.code === 0 && version !== "") return { ok: true, version };
  return { ok: false, error: result.stderr.trim(), missing: result.missing };
}

function unreachableMessage(error: string, cliMissing: boolean): string {
  if (cliMissing) {
    return "Docker is not installed. Install Docker Engine (https://docs.docker.com/engine/install/) and run again " +
      "(run as root on Debian/Ubuntu and this command installs it).";
  }
  if (/permission denied/i.test(error)) {
    return "The Docker engine refused this user (permission denied on its socket). Add the user to the docker " +
      "group (sudo usermod -aG docker $USER, then log in again) or set DOCKER_HOST, and run again.";
  }
  return "No Docker engine is reachable. Start Docker (or set DOCKER_HOST) and run again.";
}

const DOCKERD_PID_FILE = "/var/run/docker.pid";

/**
 * The pid of a live dockerd named by the pid file, if any. A pid file left by a
 * killed dockerd (its pid dead, a zombie, or reused by another program after a
 * restart) is removed, since dockerd refuses to start while it exists.
 */
function runningDockerdPid(): number | undefined {
  let pid: number;
  try {
    pid = Number(Deno.readTextFileSync(DOCKERD_PID_FILE).trim());
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && isLiveDockerd(pid)) return pid;
  try {
    Deno.removeSync(DOCKERD_PID_FILE);
  } catch {
    // Not ours to remove (not root): dockerd will say so in its log.
  }
  return undefined;
}

function isLiveDockerd(pid: number): boolean {
  try {
    const comm = Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
    const state = Deno.readTextFileSync(`/proc/${pid}/stat`).replace(/^.*\) /s, "").charAt(0);
    return comm === "dockerd" && state !== "Z";
  } catch {
    return false;
  }
}

async function startWithSystemd(): Promise<boolean> {
  try {
    if (!Deno.statSync("/run/systemd/system").isDirectory) return false;
  } catch {
    return false;
  }
  const result = await runCommand("systemctl", ["start", "docker"], { timeoutMs: 60_000 });
  return result.code === 0;
}

/** Starts dockerd in its own session (no hang-up, no Ctrl-C from this terminal) and lets it outlive us. */
function startDetachedDockerd(): void {
  const dockerd = findExecutable("dockerd") ?? "dockerd";
  const child = new Deno.Command("setsid", {
    args: ["sh", "-c", 'exec "$0" >>"$1" 2>&1', dockerd, DOCKERD_LOG_FILE],
    env: { PATH: pathWithSystemDirs() },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
}

async function waitForEngine(timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await dockerInfo();
    if (info.ok) return info.version;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

function readLog(): string {
  try {
    return Deno.readTextFileSync(DOCKERD_LOG_FILE);
  } catch {
    return "(no log)";
  }
}

if (import.meta.main) {
  try {
    const engine = await ensureDockerEngine();
    console.log(
      `docker engine: ${engine.started ? "started" : "reachable"} (server ${engine.serverVersion})`,
    );
  } catch (error) {
    exitWithError(error);
  }
}
