/**
 * A pipeline whose first `losses` runs of each job end as a run whose work item lost its Docker host
 * (the outcome's `retry` set, as the real pipeline reports a `DockerHostDownError`); later runs
 * succeed. It records how many times each job ran.
 */
import type { Pipeline } from "../../src/pipeline/pipeline_contract.ts";

/** The host a lost run names. */
export const LOST_HOST = "unix:///run/engine-2/docker.sock";

/** The pipeline and the runs per job. */
export function lostHostPipeline(losses: number): { pipeline: Pipeline; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  const pipeline: Pipeline = (job) => {
    const run = (runs.get(job.id) ?? 0) + 1;
    runs.set(job.id, run);
    if (run > losses) return Promise.resolve({ status: "succeeded", pullRequests: [] });
    const reason = `Docker host ${LOST_HOST} stopped answering`;
    return Promise.resolve({
      status: "failed",
      reason: `#${job.issue} error: ${reason}`,
      pullRequests: [],
      retry: `#${job.issue}: ${reason}`,
    });
  };
  return { pipeline, runs };
}
