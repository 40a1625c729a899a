/**
 * Entry point of the HTTP service: reads the config once, builds the service,
 * serves it until SIGINT/SIGTERM.
 *
 * Deno permissions (see the `start` task): `--allow-env` for the settings,
 * `--allow-net` for the listener, GitHub and Anthropic, `--allow-read` and
 * `--allow-write` for the Docker socket and the job database. Never `--allow-run`.
 */
import { loadConfig, redactedConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { buildService, log } from "./service.ts";

if (import.meta.main) {
  let config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    Deno.exit(2);
  }
  const service = await buildService(config);
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: ({ hostname, port }) =>
      log("info", `listening on http://${hostname}:${port}`, { config: redactedConfig(config) }),
  }, service.app.fetch);
  const shutdown = async () => {
    log("info", "shutting down");
    await server.shutdown();
    await service.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
}
