/** The boundary to job persistence; SQLite now, PostgreSQL can follow. */
import type { Job, JobEvent, JobRequest, JobStatus, PullRequestRef } from "./job.ts";

/** Fields a running job may change. */
export interface JobPatch {
  status?: JobStatus;
  reason?: string;
  pullRequests?: PullRequestRef[];
}

/** Stores jobs, their progress events and their agent trajectories. */
export interface JobStore {
  create(request: JobRequest): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  /** @throws Error when the job does not exist. */
  update(id: string, patch: JobPatch): Promise<Job>;
  /** Marks the oldest queued job `running` and returns it, atomically. */
  claimNext(): Promise<Job | undefined>;
  appendEvent(jobId: string, event: { kind: string; message: string }): Promise<JobEvent>;
  /** Events with `seq` greater than `afterSeq`, oldest first. */
  listEvents(jobId: string, afterSeq?: number): Promise<JobEvent[]>;
  /** Stores a work item's agent trajectory (JSON-serialisable). */
  saveTrajectory(jobId: string, issue: number, trajectory: unknown): Promise<void>;
  getTrajectories(jobId: string): Promise<Array<{ issue: number; trajectory: unknown }>>;
  close(): void;
}
