/**
 * Change extraction: what differs in /workspace from the base tree, read
 * through exec stdout (never the archive API). The report is untrusted: it is
 * parsed with {@link workspaceReportSchema} here (closed sets, bounded
 * sizes), and the diff policy checks every path and mode, and the host every
 * blob id, before anything is committed.
 */
import { Buffer } from "node:buffer";
import { z } from "zod";
import { SandboxError } from "../errors.ts";
import { CHANGES_PROGRAM_PATH } from "./changes_program.ts";
import type { Sandbox } from "./sandbox.ts";

/** Cache folders and files never reported as changes, whatever `.gitignore` says (fnmatch patterns). */
export const ALWAYS_IGNORED = ["__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache"];

/** Longest path the sandbox can hold: Linux's `PATH_MAX`. */
const MAX_PATH_CHARS = 4096;

/**
 * What the changes program prints, as the host parses it: statuses and kinds from their closed sets,
 * every string and list bounded. Paths and modes are only bounded here; whether they may be
 * committed is the diff policy's call (`pipeline/diff_policy.ts`), so a bad one is left out and
 * named rather than failing the whole report.
 */
export const workspaceReportSchema = z.strictObject({
  changes: z.array(z.strictObject({
    path: z.string().min(1).max(MAX_PATH_CHARS),
    status: z.enum(["added", "modified", "deleted"]),
    kind: z.enum(["file", "symlink", "repository", "other"]),
    mode: z.string().max(16).optional(),
    content: z.base64().optional(),
  })).max(1_000_000),
  ignored: z.array(z.string().max(MAX_PATH_CHARS)).max(200),
  files: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

/** One reported difference; `content` decoded. */
export interface ReportedChange {
  /** As reported: not yet checked to be canonical. */
  path: string;
  status: "added" | "modified" | "deleted";
  /** What the path is now: a regular file, a symlink, a nested git repository, or something else. */
  kind: "file" | "symlink" | "repository" | "other";
  /** Git mode as reported (the program sends `100644` or `100755` for files); not yet checked. */
  mode?: string;
  /** The file's bytes; absent for deletions, for non-files, and once the report went over its caps. */
  content?: Uint8Array;
}

/** The workspace's differences from the base tree, as the sandbox reports them. */
export interface WorkspaceReport {
  changes: ReportedChange[];
  /** New paths that `.gitignore` matches (folders end in `/`); at most 200. */
  ignored: string[];
  /** Changed files counted by the sandbox (deletions excluded). */
  files: number;
  /** Their bytes. */
  bytes: number;
}

/** Input of {@link readWorkspaceChanges}. */
export interface WorkspaceChangesInput {
  /** Every file of the base tree: path, git mode and blob id. */
  tracked: Array<[path: string, mode: string, sha: string]>;
  /** Contents are sent only while the changed files stay within this many (`DIFF_MAX_FILES`)… */
  maxFiles: number;
  /** …and this many bytes (`DIFF_MAX_TOTAL_BYTES`). */
  maxTotalBytes: number;
}

/**
 * Reports how /workspace differs from the base tree.
 * @throws SandboxError when the program fails or prints something that is not a valid report.
 */
export async function readWorkspaceChanges(
  sandbox: Sandbox,
  input: WorkspaceChangesInput,
): Promise<WorkspaceReport> {
  // No agent process is alive while the report is made, and the program runs as the programs
  // user, which the agent's processes cannot reach through /proc.
  await sandbox.stopAgentProcesses();
  const result = await sandbox.run(["python3", "-I", CHANGES_PROGRAM_PATH], {
    user: "programs",
    stdin: JSON.stringify({
      tracked: input.tracked,
      always_ignored: ALWAYS_IGNORED,
      max_files: input.maxFiles,
      max_total: input.maxTotalBytes,
    }),
    timeoutMs: 120_000,
    maxOutputBytes: Math.ceil(input.maxTotalBytes * 1.4) + 4 * 1024 * 1024,
  });
  if (result.exitCode !== 0 || result.truncated) {
    throw new SandboxError(
      `Cannot read the changes in "${sandbox.name}": ${
        result.truncated ? "the report is over its size cap" : result.stderr.trim().slice(-500)
      }`,
    );
  }
  let parsed;
  try {
    parsed = workspaceReportSchema.parse(JSON.parse(result.stdout));
  } catch (cause) {
    throw new SandboxError(`Cannot read the changes in "${sandbox.name}": the report is malformed`, {
      cause,
    });
  }
  return {
    ...parsed,
    changes: parsed.changes.map(({ content, mode, ...change }) => ({
      ...change,
      ...(mode ? { mode } : {}),
      ...(content !== undefined ? { content: new Uint8Array(Buffer.from(content, "base64")) } : {}),
    })),
  };
}
