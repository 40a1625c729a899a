/**
 * Progress events the loop reports while it runs, for the job log. They carry
 * short summaries, never whole tool outputs.
 *
 * @module
 */
import type { RecoveryAction } from "../contracts/model_recovery.ts";
import type { CallUsage, Usage } from "../contracts/usage.ts";

/** One progress event of a run. */
export type AgentEvent =
  | { type: "turn_started"; turn: number; maxTurns: number }
  | { type: "tool_call"; turn: number; name: string; summary: string }
  | { type: "tool_result"; turn: number; name: string; isError: boolean; durationMs: number }
  /** A model call ended: the run's totals so far, and the call's projected and actual figures. */
  | { type: "usage"; turn: number; usage: Usage; call: CallUsage }
  /** The loop got past a hard case of the API without ending the run; `detail` is for people. */
  | { type: "recovery"; turn: number; action: RecoveryAction; detail: string };

const SUMMARY_CHARS = 120;

/**
 * One line saying what a tool call does, e.g. `bash: pytest -q` or
 * `str_replace_based_edit_tool: create /workspace/app/x.py`, cut to 120 characters.
 */
export function summarizeToolCall(name: string, input: unknown): string {
  const fields = typeof input === "object" && input !== null ? input as Record<string, unknown> : {};
  let detail: string;
  if (typeof fields.command === "string" && typeof fields.path === "string") {
    detail = `${fields.command} ${fields.path}`;
  } else if (typeof fields.command === "string") {
    detail = fields.command;
  } else if (fields.restart === true) {
    detail = "restart";
  } else {
    detail = "";
  }
  const line = `${name}${detail ? `: ${detail}` : ""}`.replace(/\s+/g, " ").trim();
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
}
