/**
 * What fails behind a job without ending it (a store write, a worker pass), logged under the
 * `worker` category. Callers pass ids and messages, never secrets.
 */
import { errorText, logger } from "../logging.ts";

const log = logger("worker");

/** Logs `msg` at error level with `fields` and the error's message. */
export function logJobError(msg: string, error: unknown, fields: Record<string, unknown> = {}): void {
  log.error(`${msg}: {error}`, { ...fields, error: errorText(error) });
}
