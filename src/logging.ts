/**
 * The service's logger: LogTape (a small, dependency-free structured logger
 * with hierarchical categories that runs unchanged on Deno), one JSON object
 * per line on stderr (`@timestamp`, `level`, `message`, `logger`,
 * `properties`); the message shows its values plain (`listening on http://127.0.0.1:8080`), the
 * properties keep their JSON types. Categories: `backend-agent.service`, `.worker`, `.jobs` (the job lifecycle), `.api`,
 * `.health`. Audit lines keep their own sink (`audit.ts`). Callers pass ids
 * and messages, never secrets.
 */
import { configureSync, getLogger, jsonLinesFormatter, type Logger, type LogRecord } from "@logtape/logtape";

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
    sinks: { stderr: (record) => console.error(jsonLine(record)) },
    loggers: [
      { category: ["backend-agent"], lowestLevel: "info", sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

/**
 * `record` as one JSON line (no line ending), as LogTape's JSON Lines formatter writes it but with the
 * message's values plain: a string as it is (LogTape's formatter quotes it: `http://"127.0.0.1":8080`),
 * a list as its items joined by ", ", an error as its message, an object as JSON. `properties` as given.
 */
function jsonLine(record: LogRecord): string {
  const message = record.message.map((part, i) => i % 2 === 0 ? String(part) : plainValue(part)).join("");
  return jsonLinesFormatter({ ...record, message: [message] }).trimEnd();
}

/** A value as the message shows it (see {@link jsonLine}). */
function plainValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(plainValue).join(", ");
  if (value instanceof Error) return value.message;
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** The logger of `category`. */
export function logger(category: LogCategory): Logger {
  return getLogger(["backend-agent", category]);
}

/** An error as a log property: its message only. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
