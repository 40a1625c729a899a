/**
 * The workspace restore: before the test run whose result the host trusts,
 * /workspace is made to hold exactly what will be committed. The changes
 * program's restore mode (`images/python-sandbox/programs/changes.py`) runs
 * as the programs user with no agent process alive: every path the host
 * leaves out is removed, and written back from the base tree when the base
 * tree has it; new paths `.gitignore` matches are removed too. Its answer is
 * parsed as untrusted input.
 */
import { Buffer } from "node:buffer";
import { z } from "zod";
import { SandboxError } from "../errors.ts";
import { ALWAYS_IGNORED } from "./changes.ts";
import { CHANGES_PROGRAM_PATH } from "./changes_program.ts";
import type { Sandbox } from "./sandbox.ts";

/** One path to restore; `base` is the base tree's file or symlink (its target as bytes) there, if any. */
export interface RestoredPath {
  path: string;
  base?: { mode: "100644" | "100755" | "120000"; content: Uint8Array };
}

/** A path the program could not restore, with the system's reason. */
export interface RestoreFailure {
  path: string;
  error: string;
}

/** What the restore mode prints: the paths it could not restore, bounded. */
export const restoreAnswerSchema = z.strictObject({
  failed: z.array(z.strictObject({ path: z.string().max(4096), error: z.string().max(500) })).max(1_000_000),
});

/**
 * Restores `paths` to the base tree in /workspace and removes new ignored paths, after killing
 * every agent process. Returns what could not be restored (empty when the workspace now holds
 * exactly what will be committed).
 * @throws SandboxError when the program fails or its answer is malformed.
 */
export async function restoreWorkspace(
  sandbox: Sandbox,
  paths: readonly RestoredPath[],
): Promise<RestoreFailure[]> {
  await sandbox.stopAgentProcesses();
  const result = await sandbox.run(["python3", "-I", CHANGES_PROGRAM_PATH], {
    user: "programs",
    stdin: JSON.stringify({
      restore: paths.map(({ path, base }) =>
        base ? { path, mode: base.mode, content: Buffer.from(base.content).toString("base64") } : { path }
      ),
      always_ignored: ALWAYS_IGNORED,
    }),
    timeoutMs: 120_000,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  if (result.exitCode !== 0 || result.truncated) {
    throw new SandboxError(
      `Cannot restore the workspace of "${sandbox.name}" to what will be committed: ${
        result.truncated ? "the answer is over its size cap" : result.stderr.trim().slice(-500)
      }`,
    );
  }
  try {
    return restoreAnswerSchema.parse(JSON.parse(result.stdout)).failed;
  } catch (cause) {
    throw new SandboxError(
      `Cannot restore the workspace of "${sandbox.name}" to what will be committed: the answer is malformed`,
      { cause },
    );
  }
}
