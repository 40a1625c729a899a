/** What a finished command left behind. */
export interface CommandResult {
  /** Exit code; 127 when the program was not found, 124 when it timed out. */
  code: number;
  stdout: string;
  stderr: string;
  /** True when the program is not installed (or not in PATH). */
  missing: boolean;
  timedOut: boolean;
}

/** Options for {@link runCommand}. */
export interface RunCommandOptions {
  /** Kill the command after this long (default: no limit). */
  timeoutMs?: number;
  /** Extra environment variables (merged over the inherited ones). */
  env?: Record<string, string>;
  /** Show the command's output on this terminal instead of capturing it (default false). */
  inherit?: boolean;
}

/**
 * Runs a program to completion and captures its output. Never throws for a
 * failing or missing program: look at `code`, `missing` and `timedOut`.
 * Needs `--allow-run` (and `--allow-env` when `env` is given).
 */
export async function runCommand(
  program: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const io = options.inherit ? "inherit" : "piped";
  const signal = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const command = new Deno.Command(program, {
    args,
    env: options.env,
    stdin: "null",
    stdout: io,
    stderr: io,
    signal,
  });
  try {
    const output = await command.output();
    const decoder = new TextDecoder();
    const timedOut = signal?.aborted === true && !output.success;
    return {
      code: timedOut ? 124 : output.code,
      stdout: options.inherit ? "" : decoder.decode(output.stdout),
      stderr: options.inherit ? "" : decoder.decode(output.stderr),
      missing: false,
      timedOut,
    };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${program}: not found`, missing: true, timedOut: false };
    }
    throw error;
  }
}

/** The last `count` non-empty lines of a command's output, for error messages. */
export function tailLines(text: string, count = 20): string {
  return text.split("\n").filter((line) => line.trim() !== "").slice(-count).join("\n");
}
