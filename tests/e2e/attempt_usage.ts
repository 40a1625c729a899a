/**
 * What a job's model calls cost over all its attempts, read from its events: each attempt's `usage`
 * events carry that attempt's running totals per work item, and an attempt ends where the job went
 * back in the queue (`retry`) or was taken over by another replica.
 */
import type { JobEvent } from "../../src/contracts/job_events.ts";

/** Whether `event` starts a new attempt of its job. */
const startsAttempt = (event: JobEvent) =>
  event.kind === "retry" || (event.kind === "step" && event.message.startsWith("taken over by replica"));

/** The dollars of every attempt's model calls, summed (each attempt's last total per work item). */
export function costOverAttempts(events: readonly JobEvent[]): { attempts: number; costUsd: number } {
  const totals: Array<Map<number, number>> = [new Map()];
  for (const event of events) {
    if (startsAttempt(event)) totals.push(new Map());
    if (event.kind === "usage") totals.at(-1)!.set(event.data.issue, event.data.costUsd);
  }
  const costUsd = totals.flatMap((attempt) => [...attempt.values()]).reduce((a, b) => a + b, 0);
  return { attempts: totals.length, costUsd: Math.round(costUsd * 1e6) / 1e6 };
}
