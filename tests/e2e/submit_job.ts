/** Submitting a job for any repository, issue and base over HTTP, and waiting for it. */
import type { JobEvent } from "../../src/contracts/job_events.ts";
import { type Harness, waitForJob } from "./harness.ts";

/** A finished job as the API shows it, and its events. */
export interface FinishedJob {
  id: string;
  job: Record<string, unknown> & {
    status: string;
    reason?: string;
    workItems: Array<{ issue: number; status: string; reason?: string; pullRequest?: { number: number } }>;
  };
  events: JobEvent[];
}

/** `POST /v1/jobs` with `body`, then waits until the job is final. */
export async function submitJob(
  harness: Harness,
  body: { repo: string; issue: number; base?: string },
): Promise<FinishedJob> {
  const response = await fetch(`${harness.apiUrl}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) {
    throw new Error(`POST /v1/jobs answered ${response.status}: ${await response.text()}`);
  }
  const { id } = await response.json() as { id: string };
  const events: JobEvent[] = [];
  const job = await waitForJob(harness.apiUrl, id, { onEvent: (e) => events.push(e) });
  return { id, job: job as FinishedJob["job"], events };
}
