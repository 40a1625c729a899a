/**
 * A workbench that records the calls it gets and answers with canned text,
 * for loop tests that are about the loop rather than the sandbox.
 */
import type { BashInput, EditorInput, ToolOutput, Workbench } from "../../src/agent/workbench.ts";

/** A recorded call. */
export type WorkbenchCall = { tool: "bash"; input: BashInput } | { tool: "editor"; input: EditorInput };

/** Options for {@link recordingWorkbench}. */
export interface RecordingOptions {
  /** Answer for a call; default: `ok: <command or path>`. May throw. */
  answer?: (call: WorkbenchCall) => ToolOutput | Promise<ToolOutput>;
}

/** Creates a recording workbench; `calls` grows as the loop uses it. */
export function recordingWorkbench(options: RecordingOptions = {}): Workbench & { calls: WorkbenchCall[] } {
  const calls: WorkbenchCall[] = [];
  const answer = options.answer ??
    ((call: WorkbenchCall) => ({
      text: `ok: ${call.tool === "bash" ? call.input.command : call.input.path}`,
      isError: false,
    }));
  return {
    calls,
    bash(input) {
      const call = { tool: "bash" as const, input };
      calls.push(call);
      return Promise.resolve(answer(call));
    },
    editor(input) {
      const call = { tool: "editor" as const, input };
      calls.push(call);
      return Promise.resolve(answer(call));
    },
  };
}
