/**
 * Killing every process of the sandbox user before the host trusts an output.
 *
 * The stopper is bash started from the image's execute-only copy
 * ({@link SEALED_BASH}): a process started from a file its user cannot read is
 * not dumpable, so the sandbox user's other processes can neither trace it nor
 * open its `/proc/<pid>/mem`, `fd` or `environ`; they cannot make it lie. They
 * can only signal it, which leaves it without its `clean` line, and then the
 * host trusts nothing.
 *
 * One stopper stands ready from the sandbox's start (opened beside the
 * seeding, off the sandbox's ready path), waiting on its own exec, so it needs
 * no new process when the agent's have used up the sandbox's process limit (a
 * fork bomb refuses every new exec). When it is gone or does not answer, a
 * fresh one is started, a few times.
 */
import type { Container } from "dockerode";
import { SandboxError } from "../errors.ts";
import { execInContainer } from "./docker_exec.ts";
import type { ExecResult } from "./sandbox.ts";
import { ShellSession } from "./shell_session.ts";

/** The image's execute-only copy of bash (see the Dockerfile). */
export const SEALED_BASH = "/opt/backend-agent/sealed/bash";

/**
 * Bash defining `__ba_stop_all`, builtins only (it must run when no process can be forked): it
 * kills every other process of its own uid until `/proc` shows none alive, zombies aside, and
 * prints `clean`. `kill -KILL -1` reaches every process the caller may signal but itself and the
 * namespace's init; a process forking while it is killed cannot hand its child on (the kernel
 * refuses a fork with a fatal signal pending), so each round leaves fewer, until none.
 */
const STOP_ALL = `
__ba_stop_all() {
  local me=$$ round alive f p s u k a b c d
  for ((round = 1; round <= 2000; round++)); do
    builtin kill -KILL -1 2>/dev/null
    alive=
    for f in /proc/[1-9]*/status; do
      p=\${f#/proc/}; p=\${p%/status}
      [[ $p == "$me" ]] && continue
      s= u=
      { while builtin read -r k a b c d; do
          case $k in State:) s=$a ;; Uid:) u=" $a $b $c $d "; break ;; esac
        done < "$f"; } 2>/dev/null
      [[ $s == [ZX] ]] && continue
      if [[ $u == *" $UID "* ]]; then alive=$p; break; fi
    done
    if [[ -z $alive ]]; then builtin echo clean; return 0; fi
  done
  builtin echo "process $alive was still alive after 2000 rounds" >&2
  return 1
}`;

/** How long one stop may take. */
const STOP_TIMEOUT_MS = 10_000;
/** Fresh stoppers tried when the standing one fails; a sandbox at its process limit refuses some. */
const FRESH_ATTEMPTS = 5;

/** Kills every process of the sandbox user in one container. */
export class ProcessStopper {
  #standing: ShellSession | undefined;
  /** The standing stopper's start; it never rejects (without one, {@link stop} starts fresh ones). */
  #opening: Promise<void>;
  #detached = false;

  /** Starts opening the standing stopper, in the background. */
  constructor(private readonly container: Container) {
    this.#opening = this.#openStanding();
  }

  /**
   * Kills every process of the sandbox user and resolves once none is alive.
   * @throws SandboxError when no stopper could say so; then nothing in the sandbox may be trusted.
   */
  async stop(): Promise<void> {
    await this.#opening;
    const standing = this.#standing;
    if (standing && !standing.closed) {
      const result = await standing
        .run("__ba_stop_all", { timeoutMs: STOP_TIMEOUT_MS, maxOutputBytes: 4096 })
        .catch(() => undefined);
      if (result && isClean(result)) return;
      standing.detach();
    }
    this.#standing = undefined;
    await stopWithFreshExecs(this.container);
    // Every process of the user is gone now, so there is room for the next standing stopper.
    this.#opening = this.#openStanding();
    await this.#opening;
  }

  /** Drops the standing stopper's connection (the container is about to be removed). Idempotent. */
  detach(): void {
    this.#detached = true;
    this.#standing?.detach();
  }

  async #openStanding(): Promise<void> {
    try {
      const session = await ShellSession.open(this.container, SEALED_BASH);
      const defined = await session.run(STOP_ALL, { timeoutMs: STOP_TIMEOUT_MS, maxOutputBytes: 4096 });
      if (defined.exitCode === 0 && !this.#detached) this.#standing = session;
      else session.detach();
    } catch {
      // Not fatal: stop() starts fresh stoppers instead.
    }
  }
}

async function stopWithFreshExecs(container: Container): Promise<void> {
  let last = "";
  for (let attempt = 1; attempt <= FRESH_ATTEMPTS; attempt++) {
    const result = await execInContainer(
      container,
      [SEALED_BASH, "--noprofile", "--norc", "-c", `${STOP_ALL}\n__ba_stop_all`],
      { user: "sandbox", bare: true, timeoutMs: STOP_TIMEOUT_MS, maxOutputBytes: 4096, cwd: "/" },
    ).catch((error: Error) => ({ failed: error.message }));
    if (!("failed" in result) && isClean(result)) return;
    last = "failed" in result
      ? result.failed
      : result.timedOut
      ? "it did not finish"
      : `exit ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 300)}`;
    if (attempt < FRESH_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
  throw new SandboxError(
    `Cannot stop the sandbox user's processes in sandbox "${container.id.slice(0, 12)}" ` +
      `(${FRESH_ATTEMPTS} attempts; last: ${last}); nothing it produces is used`,
  );
}

function isClean(result: ExecResult): boolean {
  return result.exitCode === 0 && result.stdout === "clean\n";
}
