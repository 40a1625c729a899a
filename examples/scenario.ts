/**
 * A scripted scenario: a target repo on the GitHub stand-in, its issues, the
 * job to submit, and the model turns the Anthropic stand-in replays.
 */

/** One content block the scripted model sends (ids are filled in by the stand-in). */
export type ScriptedBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: Record<string, unknown> };

/**
 * One scripted model response, or an API error to answer with instead. The stand-in cuts a response
 * that does not fit the request's `max_tokens` or the context window itself (`stop_reason`
 * `max_tokens` or `model_context_window_exceeded`), the way the API does.
 */
export type ScriptedTurn =
  | {
    content: ScriptedBlock[];
    /** Default: `tool_use` when the turn has a tool_use block, else `end_turn`. `refusal`: the model declines. */
    stop_reason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal";
  }
  | {
    /** Served in place of the turn at this position, `times` times (default 1); then the turn after it. */
    error: { status: 429 | 500 | 529; type: string; message: string };
    times?: number;
    /** Response headers, e.g. `retry-after` and `anthropic-ratelimit-*` on a 429. */
    headers?: Record<string, string>;
  };

/** The model's script for one work item. */
export interface ModelScript {
  /** A string that appears in the first user message of that work item's conversation (e.g. its title). */
  match: string;
  turns: ScriptedTurn[];
}

/** An issue on the GitHub stand-in. */
export interface ScenarioIssue {
  number: number;
  title: string;
  body: string;
  /** `open` (default) or `closed`. */
  state?: "open" | "closed";
  /** This issue's sub-issues, in order: numbers in the same repository, or `"owner/name#N"` elsewhere. */
  subIssues?: Array<number | `${string}/${string}#${number}`>;
}

/** Everything a demo or end-to-end test needs to run one job. */
export interface Scenario {
  name: string;
  repo: {
    /** `owner/name` on the GitHub stand-in. */
    fullName: string;
    /** Folder (relative to the project root) whose files form the default branch. */
    dir: string;
    defaultBranch: string;
  };
  issues: ScenarioIssue[];
  /** The issue number submitted as the job. */
  jobIssue: number;
  scripts: ModelScript[];
}
