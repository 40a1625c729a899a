/**
 * Entry point of the HTTP service: reads the config once, refuses to start
 * without authentication (unless `AUTH_DISABLED=true`), builds the service,
 * serves it until SIGINT/SIGTERM. Every line it writes is a JSON log line
 * (`logging.ts`): an invalid configuration is one `fatal` line naming each
 * problem, then exit code 2; a failed start is one `fatal` line, then exit code 1.
 *
 * Deno permissions (see the `start` task): `--allow-env` for the settings,
 * `--allow-net` for the listener, GitHub, Anthropic and the JWKS URL,
 * `--allow-read` and `--allow-write` for the Docker socket, the job database
 * and the audit file, `--allow-read` for the `_FILE` secrets (`/run/secrets`).
 * Never `--allow-run`.
 */
import { assertAuthConfigured, type Config, loadConfig } from "./config.ts";
import { redactedConfig } from "./config_redacted.ts";
import { apiKeyPlaceholders } from "./api/auth/api_keys.ts";
import { ConfigError } from "./errors.ts";
import { configureLogging, errorText, logger } from "./logging.ts";
import { buildService } from "./service.ts";

const log = logger("service");

/** The problems a {@link ConfigError} lists (its `  - ` lines), or its whole message. */
function configProblems(error: ConfigError): string[] {
  const listed = error.message.split("\n").filter((line) => line.startsWith("  - ")).map((line) =>
    line.slice(4)
  );
  return listed.length > 0 ? listed : [error.message];
}

if (import.meta.main) {
  configureLogging();
  let config: Config;
  try {
    config = loadConfig(Deno.env.toObject());
    assertAuthConfigured(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.fatal("invalid configuration, not starting: {problems}", { problems: configProblems(error) });
    Deno.exit(2);
  }
  if (config.auth.disabled) {
    log.warn("authentication is disabled (AUTH_DISABLED=true): every caller may submit and cancel jobs");
  }
  for (const warning of apiKeyPlaceholders(config.auth.apiKeys)) log.warn(warning);
  let service: Awaited<ReturnType<typeof buildService>>;
  try {
    service = await buildService(config);
  } catch (error) {
    log.fatal("cannot start: {error}", { error: errorText(error) });
    Deno.exit(1);
  }
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
    log.info("stopped");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
}
