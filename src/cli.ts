/**
 * The command line:
 *
 * - `deno task run --repo owner/name --issue N [--base main]` runs one job
 *   without the HTTP server, through the same `buildService` pipeline and
 *   config, printing each step, the tool calls and the cost so far, then the
 *   pull requests; it exits 1 with the reason when the job does not succeed
 *   (130 when interrupted with Ctrl-C, 2 on bad arguments or settings).
 *   Deno permissions: like `deno task start` (`--allow-net --allow-env`, read/write
 *   on the Docker socket and the job database); never `--allow-run`.
 * - `deno task hash-key [--name ci] [--repos 'acme/*'] [--scopes …]` prints a new API key and its
 *   `API_KEYS` entry, ready to paste; with a key on stdin, that key's. No permissions.
 */
import type { CliIo } from "./cli/cli_io.ts";

const USAGE = `Usage:
  deno task run --repo owner/name --issue N [--base branch]   run one job and print its progress
  deno task hash-key [--name ci] [--repos "acme/*"] [--scopes jobs:read,jobs:write]
                                                               print a new API key and its API_KEYS entry
  deno task hash-key < key.txt                                 print the hash of the key on stdin`;

/**
 * Runs the CLI.
 * @returns the process exit code.
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  if (command === "hash-key") {
    const { hashKeyCommand } = await import("./cli/hash_key_command.ts");
    return hashKeyCommand(rest, io);
  }
  if (command === "run") {
    const { runJobCommand } = await import("./cli/run_job_command.ts");
    return runJobCommand(rest, io);
  }
  io.err(command === undefined || command === "--help" ? USAGE : `Unknown command "${command}".\n${USAGE}`);
  return command === "--help" ? 0 : 2;
}

if (import.meta.main) {
  const io: CliIo = {
    env: {},
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    async readStdin() {
      if (Deno.stdin.isTerminal()) return undefined;
      return await new Response(Deno.stdin.readable).text();
    },
    onInterrupt(handler) {
      Deno.addSignalListener("SIGINT", handler);
      return () => Deno.removeSignalListener("SIGINT", handler);
    },
  };
  // Only `run` reads settings (and so needs --allow-env); hash-key runs with no permissions.
  if (Deno.args[0] === "run") io.env = Deno.env.toObject();
  Deno.exit(await runCli(Deno.args, io));
}
