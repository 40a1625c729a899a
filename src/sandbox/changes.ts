/**
 * Change extraction: the files that differ from the baseline commit, read
 * through exec stdout (never the archive API) with a total size cap.
 */
import { Buffer } from "node:buffer";
import { SandboxError } from "../errors.ts";
import { CHANGES_PROGRAM } from "./changes_program.ts";
import type { FileChange, Sandbox } from "./sandbox.ts";

/** A path that may not leave the sandbox, and the rule it broke. */
export interface RefusedPath {
  path: string;
  rule: string;
}

/** Raised when the change set holds paths that may never be committed. */
export class RefusedChangesError extends SandboxError {
  override name = "RefusedChangesError";
  constructor(readonly refused: RefusedPath[]) {
    super(`Refused changes: ${refused.map((r) => `${r.path} (${r.rule})`).join("; ")}`);
  }
}

/** Options for {@link extractChanges}. */
export interface ExtractOptions {
  /** Cap on the total bytes of changed file contents. Default 5 MiB. */
  maxTotalBytes?: number;
  /** Cap on the number of changed files. Default 200. */
  maxFiles?: number;
}

/**
 * Lists added, modified and deleted files against `baselineSha`.
 * @throws RefusedChangesError naming symlinks, submodules and `.git/` paths.
 * @throws SandboxError when the change set is over a cap or git fails.
 */
export async function extractChanges(
  sandbox: Sandbox,
  baselineSha: string,
  options: ExtractOptions = {},
): Promise<FileChange[]> {
  const maxTotal = options.maxTotalBytes ?? 5 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 200;
  const result = await sandbox.run(
    ["python3", "-I", "-c", CHANGES_PROGRAM, baselineSha, String(maxTotal), String(maxFiles)],
    { timeoutMs: 60_000, maxOutputBytes: Math.ceil(maxTotal * 1.4) + 1024 * 1024 },
  );
  if (result.exitCode !== 0 || result.truncated) {
    throw new SandboxError(
      `Cannot read the changes in "${sandbox.name}": ${result.stderr.trim().slice(-500)}`,
    );
  }
  const parsed = JSON.parse(result.stdout) as {
    changes: Array<
      { path: string; status: FileChange["status"]; mode?: FileChange["mode"]; content?: string }
    >;
    refused: RefusedPath[];
    total_bytes: number;
    over_cap: boolean;
  };
  if (parsed.refused.length > 0) throw new RefusedChangesError(parsed.refused);
  if (parsed.over_cap) {
    throw new SandboxError(
      `The change set is over its cap (${maxFiles} files, ${maxTotal} bytes): ${parsed.changes.length}+ files, ${parsed.total_bytes}+ bytes`,
    );
  }
  return parsed.changes.map((c) => ({
    path: c.path,
    status: c.status,
    ...(c.mode ? { mode: c.mode } : {}),
    ...(c.content !== undefined ? { content: new Uint8Array(Buffer.from(c.content, "base64")) } : {}),
  }));
}
