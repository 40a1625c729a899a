/**
 * A replica of the service as a real process: `deno run src/main.ts` with the `start` task's
 * permissions, its settings in the environment, on a free loopback port. Tests kill it (`SIGKILL`,
 * as a crash) or stop it (`SIGTERM`, as an orchestrator does), and read its log lines.
 */
import { freePort } from "../../scripts/free_port.ts";
import { PROJECT_ROOT } from "../e2e/harness.ts";
import { startTaskPermissions } from "../service_process.ts";

/** A started replica. */
export interface ReplicaProcess {
  name: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  pid: number;
  /** Its stderr lines so far (JSON log lines). */
  logs: string[];
  /** Resolves with the exit code once it exits. */
  exited: Promise<number>;
  /** Sends `signal` (default `SIGKILL`) and waits for the exit. Idempotent. */
  kill(signal?: Deno.Signal): Promise<number>;
}

/**
 * Starts replica `name` with `settings` and waits until `GET /healthz` answers. `sockets`: more
 * Docker sockets it may use (another engine of `DOCKER_HOSTS`), added to its read and write permissions.
 * @throws Error with its log when it exits or does not answer within 60 s.
 */
export async function startReplica(
  name: string,
  settings: Record<string, string>,
  sockets: readonly string[] = [],
): Promise<ReplicaProcess> {
  const port = await freePort();
  const permissions = (await startTaskPermissions()).map((flag) =>
    flag.startsWith("--allow-read=") || flag.startsWith("--allow-write=")
      ? [flag, ...sockets].join(",")
      : flag
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "src/main.ts"],
    cwd: PROJECT_ROOT,
    env: { ...settings, HOST: "127.0.0.1", PORT: String(port), HOSTNAME: name },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const logs: string[] = [];
  const reading = (async () => {
    const decoder = new TextDecoderStream();
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(decoder)) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      logs.push(...lines);
    }
    if (rest) logs.push(rest);
  })();
  const exited = child.status.then(async (status) => {
    await reading.catch(() => undefined);
    return status.code;
  });
  let gone = false;
  exited.finally(() => gone = true).catch(() => undefined);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`replica ${name} exited at start:\n${logs.slice(-20).join("\n")}`);
    const ok = await fetch(`${url}/healthz`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`replica ${name} did not answer within 60 s:\n${logs.slice(-20).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    url,
    pid: child.pid,
    logs,
    exited,
    kill(signal = "SIGKILL") {
      if (!gone) {
        try {
          child.kill(signal);
        } catch {
          // Already gone.
        }
      }
      return exited;
    },
  };
}
