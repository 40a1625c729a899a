/**
 * The service's logger: LogTape (a small, dependency-free structured logger
 * with hierarchical categories that runs unchanged on Deno), one JSON object
 * per line on stderr (`@timestamp`, `level`, `message`, `logger`,
 * `properties`). Categories: `backend-agent.service`, `.worker`, `.jobs` (the job lifecycle), `.api`,
 * `.health`. Audit lines keep their own sink (`audit.ts`). Callers pass ids
 * and messages, never secrets.
 */
import { configureSync, getLogger, jsonLinesFormatter, type Logger } from "@logtape/logtape";

/** The categories the service logs under. */
export type LogCategory =
  | "service"
  | "worker"
  | "jobs"
  | "api"
  | "health"
  | "webhooks"
  | "queue"
  | "docker-hosts";

let configured = false;

/**
 * Sends every record at `info` and above to stderr, synchronously (a record is written before the
 * call returns, even right before an exit). Idempotent; the composition root calls it.
 */
export function configureLogging(): void {
  if (configured) return;
  configured = true;
  configureSync({
    sinks: { stderr: (record) => console.error(jsonLinesFormatter(record).trimEnd()) },
    loggers: [
      { category: ["backend-agent"], lowestLevel: "info", sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

/** The logger of `category`. */
export function logger(category: LogCategory): Logger {
  return getLogger(["backend-agent", category]);
}

/** An error as a log property: its message only. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
