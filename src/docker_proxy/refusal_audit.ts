/** One JSON audit line per request the proxy refuses, in the shape of the service's own audit lines. */

/** A refused request, as audited. */
export interface RefusalEvent {
  method: string;
  /** The path without its query (queries can be long; the reason names what mattered). */
  path: string;
  status: number;
  reason: string;
  /** The client's address. */
  client: string;
}

/** Where audit lines go. Default: stderr. */
export type AuditWriter = (line: string) => void;

/** Formats and writes the audit line for `event`; a failing write never throws. */
export function auditRefusal(write: AuditWriter, event: RefusalEvent, now: Date = new Date()): void {
  const line = JSON.stringify({
    time: now.toISOString(),
    audit: true,
    event: "docker_proxy_refused",
    ...event,
  });
  try {
    write(line);
  } catch {
    // An audit sink that fails must not take the proxy down; stderr is the last resort.
    console.error(line);
  }
}
