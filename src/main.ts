/**
 * Entry point of the HTTP service: reads the config once, refuses to start
 * without authentication (unless `AUTH_DISABLED=true`), builds the service,
 * serves it until SIGINT/SIGTERM.
 *
 * Deno permissions (see the `start` task): `--allow-env` for the settings,
 * `--allow-net` for the listener, GitHub, Anthropic and the JWKS URL,
 * `--allow-read` and `--allow-write` for the Docker socket, the job database
 * and the audit file. Never `--allow-run`.
 */
import { assertAuthConfigured, type Config, loadConfig, redactedConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { logger } from "./logging.ts";
import { buildService } from "./service.ts";

const log = logger("service");

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig(Deno.env.toObject());
    assertAuthConfigured(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    Deno.exit(2);
  }
  if (config.auth.disabled) {
    log.warn("authentication is disabled (AUTH_DISABLED=true): every caller may submit and cancel jobs");
  }
  const service = await buildService(config);
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) =>
      log.info("listening on http://{hostname}:{port}", { hostname, port, config: redactedConfig(config) }),
  }, service.app.fetch);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down");
    // Close event streams and stop the worker (running jobs are recorded) before the server waits on requests.
    await service.drain();
    await server.shutdown();
    await service.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
}
