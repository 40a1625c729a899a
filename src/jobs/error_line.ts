/**
 * One JSON error line on stderr for what fails behind a job without ending it (a store write, a
 * worker pass). Callers pass ids and messages, never secrets.
 */

/** Writes `{"time","level":"error","msg",…fields,"error"}` to stderr. */
export function logJobError(msg: string, error: unknown, fields: Record<string, unknown> = {}): void {
  console.error(JSON.stringify({
    time: new Date().toISOString(),
    level: "error",
    msg,
    ...fields,
    error: error instanceof Error ? error.message : String(error),
  }));
}
