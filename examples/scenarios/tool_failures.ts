/**
 * A scenario where a tool call fails in the model's hands: the model makes a
 * named pipe (FIFO) in the workspace and points the editor at it. The editor
 * refuses it before opening it, the model reads the refusal as a tool result,
 * removes the pipe and finishes its work.
 *
 * @module
 */
import type { Scenario } from "../scenario.ts";
import { bash, create, issueBody, PYTEST, turn, view } from "./script_helpers.ts";

const TITLE = "[dev] Document the task service's configuration";
const CRITERIA = ["The README names every setting the service reads"] as const;

/** The editor meets a FIFO; the run goes on to a pull request. */
export const fifoScenario: Scenario = {
  name: "fifo",
  repo: { fullName: "acme/task-service", dir: "examples/task_service", defaultBranch: "main" },
  issues: [{
    number: 48,
    title: TITLE,
    body: issueBody("As an operator, I want the settings documented, so that I can deploy it.", CRITERIA),
  }],
  jobIssue: 48,
  scripts: [{
    match: TITLE,
    turns: [
      bash(
        "python3 -c \"import os; os.mkfifo('/workspace/docs.md')\"",
        "A named pipe where the docs will go, to see what the editor does.",
      ),
      view("/workspace/docs.md"),
      bash("rm /workspace/docs.md", "The editor refused the pipe; removing it."),
      create("/workspace/docs.md", "# Configuration\n\nThe service reads its settings from app/config.py.\n"),
      bash(PYTEST),
      turn("submit_work", {
        summary: "Documents the settings in docs.md.",
        api_changes: "None.",
        auth_and_validation: "None.",
        acceptance_criteria: [{ criterion: CRITERIA[0], evidence: "docs.md" }],
        follow_ups: "None.",
      }),
    ],
  }],
};
