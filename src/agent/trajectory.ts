/**
 * The record of one agent run: per model call, what was asked, what came
 * back, and every tool call with its result and duration. Plain JSON, kept
 * with the job.
 *
 * @module
 */
import type { ResponseUsage } from "../contracts/usage.ts";

/** One tool call and what it returned to the model. */
export interface ToolTrace {
  toolUseId: string;
  name: string;
  input: unknown;
  /** The text sent back in the tool_result (after truncation). */
  output: string;
  isError: boolean;
  /** True when the output was cut to the loop's cap. */
  truncated: boolean;
  durationMs: number;
}

/** One model call of the run. */
export interface TrajectoryEntry {
  /** 1-based number of the model call. */
  turn: number;
  /** Milliseconds from the start of the run to the start of this call. */
  atMs: number;
  request: {
    /** Number of messages in the conversation sent. */
    messages: number;
    maxTokens: number;
    /** The loop's estimate of the input tokens, used for the budget check. */
    estimatedInputTokens: number;
    /** True when the last user message is the loop's reminder to call `submit_work`. */
    nudge: boolean;
    /** The input tokens the budget checked the call with, and where that figure came from. */
    projection?: { inputTokens: number; by: "estimate" | "count_tokens" };
  };
  /** Absent when the call failed. */
  response?: {
    id: string;
    stopReason: string | null;
    content: unknown[];
    usage: ResponseUsage;
    durationMs: number;
  };
  tools: ToolTrace[];
  /** Why the call failed, when it did. */
  error?: string;
}
