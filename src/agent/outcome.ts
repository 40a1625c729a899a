/**
 * How an agent run ends: the outcome {@link runAgent} returns and the record
 * every outcome carries.
 *
 * @module
 */
import type { Submission } from "../contracts/submission.ts";
import type { TrajectoryEntry } from "./trajectory.ts";
import type { Usage } from "../contracts/usage.ts";

/**
 * How a run can end without a submission. `model_refused`: the model stopped with
 * `stop_reason: "refusal"`; `context_exhausted`: the conversation overflowed the context window again
 * after it was compacted; `model_unavailable`: the API stayed overloaded or failing (5xx, 529) past the
 * SDK's retries; `model_not_found`: the API does not serve the model id (unknown or retired), which
 * fails the whole job; `model_error`: any other API error.
 */
export type StopStatus =
  | "budget_exceeded"
  | "timeout"
  | "model_error"
  | "model_refused"
  | "model_unavailable"
  | "model_not_found"
  | "context_exhausted"
  | "no_submission"
  | "cancelled";

/** A run stopped before a submission was accepted; `reason` is for people. */
export type Stop = { status: StopStatus; reason: string };

/** How a run ended, before its record is attached. Every status but `submitted` carries a `reason`. */
export type RunEnd =
  | { status: "submitted"; submission: Submission }
  | { status: "tests_failed"; submission: Submission; reason: string }
  | Stop;

/** What every outcome carries. */
export interface RunRecord {
  usage: Usage;
  /** Model calls made. */
  turns: number;
  trajectory: TrajectoryEntry[];
}

/** How a run ended, with its record. */
export type AgentOutcome = RunEnd & RunRecord;

/** The stop of a run whose signal was aborted. */
export const CANCELLED: Stop = { status: "cancelled", reason: "The job was cancelled" };
