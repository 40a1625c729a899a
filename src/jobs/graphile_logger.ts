/** graphile-worker's log lines through the service's logger: warnings and errors only. */
import { Logger } from "graphile-worker";
import { logger } from "../logging.ts";

const queueLog = logger("queue");

/** A graphile-worker {@link Logger} that drops its debug and info lines. */
export function graphileLogger(): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error") queueLog.error("graphile-worker: {message}", { message });
    else if (level === "warning") queueLog.warn("graphile-worker: {message}", { message });
  });
}
