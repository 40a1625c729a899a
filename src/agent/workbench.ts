/**
 * The boundary the agent loop executes the model's tool calls through.
 *
 * The loop validates each tool input against the schemas in `tools.ts` and
 * hands it to a `Workbench`; the implementation (on top of a `Sandbox`)
 * decides how the call runs inside the container. Nothing here knows about
 * Docker.
 *
 * @module
 */
import type { BashInput, EditorInput, ToolOutput } from "../contracts/tools.ts";

/**
 * Executes the model's tool calls, normally inside the per-issue sandbox.
 *
 * Implementations return refusals and command failures as `{ isError: true }`
 * (or throw a `ToolError`, which the loop turns into the same). Any other thrown
 * error means the workbench itself is broken, and it ends the run.
 */
export interface Workbench {
  bash(input: BashInput): Promise<ToolOutput>;
  editor(input: EditorInput): Promise<ToolOutput>;
}
