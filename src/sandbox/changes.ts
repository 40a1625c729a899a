/**
 * Change extraction: what differs in /workspace from the base tree, read
 * through exec stdout (never the archive API). The report is untrusted: it is
 * validated against {@link workspaceReportSchema} here, and the host checks
 * every path, mode and blob id again before anything is committed.
 */
import { Buffer } from "node:buffer";
import { z } from "zod";
import { SandboxError } from "../errors.ts";
import { CHANGES_PROGRAM_PATH } from "./changes_program.ts";
import type { Sandbox } from "./sandbox.ts";

/** Cache folders and files never reported as changes, whatever `.gitignore` says (fnmatch patterns). */
export const ALWAYS_IGNORED = ["__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache"];

/** What the changes program prints, as the host accepts it. */
export const workspaceReportSchema = z.object({
  changes: z.array(z.object({
    path: z.string().min(1).max(4096),
    status: z.enum(["added", "modified", "deleted"]),
    kind: z.enum(["file", "symlink", "repository", "other"]),
    mode: z.enum(["100644", "100755"]).optional(),
    content: z.base64().optional(),
  })).max(1_000_000),
  ignored: z.array(z.string().max(4096)).max(200),
  files: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

/** One reported difference; `content` decoded. */
export interface ReportedChange {
  path: string;
  status: "added" | "modified" | "deleted";
  /** What the path is now: a regular file, a symlink, a nested git repository, or something else. */
  kind: "file" | "symlink" | "repository" | "other";
  mode?: "100644" | "100755";
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
  const result = await sandbox.run(["python3", "-I", CHANGES_PROGRAM_PATH], {
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
