/**
 * A scripted scenario: a target repo on the GitHub stand-in, its issues, the
 * job to submit, and the model turns the Anthropic stand-in replays.
 */

/** One content block the scripted model sends (ids are filled in by the stand-in). */
export type ScriptedBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: Record<string, unknown> };

/** One scripted model response, or an API error to answer with instead. */
export type ScriptedTurn =
  | {
    content: ScriptedBlock[];
    /** Default: `tool_use` when the turn has a tool_use block, else `end_turn`. */
    stop_reason?: "end_turn" | "tool_use" | "max_tokens" | "stop_sequence";
  }
  | {
    /** Served once, in place of the turn at this position; the next request gets the turn after it. */
    error: { status: 429 | 500 | 529; type: string; message: string };
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
