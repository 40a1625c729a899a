/**
 * Entry point of the Docker API proxy: `deno task proxy`.
 *
 * Reads its settings from `PROXY_*` (see `config.ts`), listens, and forwards
 * to the engine only the calls the service makes, within the sandbox policy.
 * Needs: `--allow-net` for the listen address, `--allow-read` and
 * `--allow-write` on the engine socket, `--allow-env` for the `PROXY_*` names.
 * Never `-A`, never `--allow-run`. A name `--allow-env` does not grant is not
 * read: its default applies, and the start-up line lists it as `unreadable`.
 * An invalid setting stops the proxy with one JSON line naming it (exit 1).
 */
import { PROXY_ENV, readProxyConfig } from "./config.ts";
import { startDockerProxy } from "./server.ts";

const readable = PROXY_ENV.filter((name) =>
  Deno.permissions.querySync({ name: "env", variable: name }).state === "granted"
);
const env = Object.fromEntries(
  readable.map((name) => [name, Deno.env.get(name)]).filter(([, v]) => v !== undefined),
);
try {
  const config = readProxyConfig(env);
  const proxy = startDockerProxy(config);
  // Signals are handled before the start-up line says the proxy is listening, so a stop sent on that
  // line always shuts down cleanly.
  const stop = () => {
    proxy.close().finally(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  console.error(JSON.stringify({
    time: new Date().toISOString(),
    level: "info",
    msg: "docker-proxy listening",
    listen: `${proxy.hostname}:${proxy.port}`,
    upstream: config.upstreamSocket,
    images: [...config.allowedImages],
    runtimes: [...config.allowedRuntimes],
    caps: config.caps,
    maxSandboxes: config.maxSandboxes,
    unreadable: PROXY_ENV.filter((name) => !readable.includes(name)),
  }));
} catch (error) {
  // One JSON line, like every other line the proxy writes, so that a log collector can read it.
  console.error(JSON.stringify({
    time: new Date().toISOString(),
    level: "fatal",
    msg: "docker-proxy not starting",
    error: (error as Error).message,
  }));
  Deno.exit(1);
}
