/**
 * The model's tools on top of a {@link Sandbox}: Anthropic's bash tool through
 * the persistent session, and the text editor tool through the jailed editor.
 * Structurally it is the agent's `Workbench`; it knows nothing of the agent.
 */
import { ToolError } from "../errors.ts";
import { type CommandPolicy, refusalText } from "./command_policy.ts";
import type { BashInput, EditorInput, ToolOutput } from "../contracts/tools.ts";
import { loadBashGrammar } from "./command_line.ts";
import { runEditor } from "./editor.ts";
import type { ExecResult, Sandbox } from "./sandbox.ts";

/** Options for {@link createWorkbench}. */
export interface WorkbenchOptions {
  /** Per-command timeout of the bash tool; without it, the sandbox's own. */
  commandTimeoutMs?: number;
  /** What the bash tool may run (`SANDBOX_COMMAND_POLICY`); checked before anything reaches the shell. */
  policy: CommandPolicy;
}

/**
 * Builds the tool executor for one sandbox. A command the policy refuses is
 * answered with `{isError: true}` naming the reason, and nothing runs.
 */
export function createWorkbench(sandbox: Sandbox, options: WorkbenchOptions) {
  const { policy } = options;
  return {
    async bash(input: BashInput): Promise<ToolOutput> {
      if (input.restart) {
        await sandbox.restartBash();
        return { text: "The bash session was restarted.", isError: false };
      }
      if (typeof input.command !== "string" || input.command.trim() === "") {
        return { text: "bash needs a command (or restart: true)", isError: true };
      }
      await loadBashGrammar();
      const decision = policy.check(input.command);
      if (!decision.allowed) return { text: refusalText(policy, decision.reason), isError: true };
      const result = await sandbox.bash(
        input.command,
        options.commandTimeoutMs ? { timeoutMs: options.commandTimeoutMs } : {},
      );
      return formatBash(result);
    },
    async editor(input: EditorInput): Promise<ToolOutput> {
      try {
        return { text: await runEditor(sandbox, input), isError: false };
      } catch (error) {
        if (error instanceof ToolError) return { text: error.message, isError: true };
        throw error;
      }
    },
  };
}

/** Renders a bash result the way the model expects: stdout, stderr, and the exit status when not 0. */
export function formatBash(result: ExecResult): ToolOutput {
  const parts: string[] = [];
  if (result.stdout) parts.push(result.stdout.replace(/\n$/, ""));
  if (result.stderr) parts.push(result.stderr.replace(/\n$/, ""));
  if (result.timedOut) {
    parts.push("[the command timed out and was killed]");
    return { text: parts.join("\n"), isError: true };
  }
  if (result.oomKilled) {
    const limit = result.memoryLimitMb === undefined ? "" : ` (limit ${result.memoryLimitMb} MiB)`;
    parts.push(`[killed: out of memory${limit}]`);
    return { text: parts.join("\n"), isError: true };
  }
  if (result.exitCode === null) parts.push("[no exit code: the bash session ended]");
  else if (result.exitCode !== 0) parts.push(`[exit code ${result.exitCode}]`);
  if (parts.length === 0) parts.push("(no output)");
  return { text: parts.join("\n"), isError: false };
}
