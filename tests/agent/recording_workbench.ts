/**
 * A workbench that records the calls it gets, and passes them to an inner
 * workbench (the real sandbox one) or answers them itself when a test needs
 * a fault the real one cannot produce on demand.
 */
import type { BashInput, EditorInput, ToolOutput } from "../../src/contracts/tools.ts";
import type { Workbench } from "../../src/agent/workbench.ts";

/** A recorded call. */
export type WorkbenchCall = { tool: "bash"; input: BashInput } | { tool: "editor"; input: EditorInput };

/** Options for {@link recordingWorkbench}; give `inner`, `answer`, or neither (canned `ok: …` text). */
export interface RecordingOptions {
  /** The workbench that runs the calls. */
  inner?: Workbench;
  /** Answers a call instead of `inner`; may throw. */
  answer?: (call: WorkbenchCall) => ToolOutput | Promise<ToolOutput>;
}

/** Creates a recording workbench; `calls` grows as the loop uses it. */
export function recordingWorkbench(options: RecordingOptions = {}): Workbench & { calls: WorkbenchCall[] } {
  const calls: WorkbenchCall[] = [];
  const canned = (call: WorkbenchCall) => ({
    text: `ok: ${call.tool === "bash" ? call.input.command : call.input.path}`,
    isError: false,
  });
  async function handle(call: WorkbenchCall): Promise<ToolOutput> {
    calls.push(call);
    if (options.answer) return await options.answer(call);
    if (!options.inner) return canned(call);
    return call.tool === "bash"
      ? await options.inner.bash(call.input)
      : await options.inner.editor(call.input);
  }
  return {
    calls,
    bash: (input) => handle({ tool: "bash", input }),
    editor: (input) => handle({ tool: "editor", input }),
  };
}
