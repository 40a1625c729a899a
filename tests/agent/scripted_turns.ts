/**
 * Small builders of scripted model turns for the agent tests.
 */
import type { ScriptedTurn } from "../../examples/scenario.ts";
import type { Submission } from "../../src/contracts/submission.ts";

/** A valid `submit_work` input. */
export const VALID_SUBMISSION: Submission = {
  summary: "Adds GET /v1/health for issue #7.",
  api_changes: "New router app/api/v1/health.py calling HealthService.status().",
  auth_and_validation: "Route requires a validated bearer token via Depends(current_user).",
  acceptance_criteria: [
    { criterion: "GET /v1/health returns 200", evidence: "tests/api/v1/test_health.py::test_ok" },
  ],
};

/** A turn that runs `command` with the bash tool. */
export function bashTurn(command: string): ScriptedTurn {
  return { content: [{ type: "tool_use", name: "bash", input: { command } }] };
}

/** A turn that calls the text editor tool. */
export function editorTurn(input: Record<string, unknown>): ScriptedTurn {
  return { content: [{ type: "tool_use", name: "str_replace_based_edit_tool", input }] };
}

/** A turn that calls `submit_work` with `input` (default: a valid submission). */
export function submitTurn(input: Record<string, unknown> = { ...VALID_SUBMISSION }): ScriptedTurn {
  return { content: [{ type: "text", text: "Done." }, { type: "tool_use", name: "submit_work", input }] };
}

/** A turn that only talks, and ends the model's turn. */
export function textTurn(text: string): ScriptedTurn {
  return { content: [{ type: "text", text }] };
}

/** A turn answered with HTTP 529 overloaded_error instead. */
export const OVERLOADED: ScriptedTurn = {
  error: { status: 529, type: "overloaded_error", message: "Overloaded" },
};
