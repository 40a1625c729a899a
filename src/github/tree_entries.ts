/**
 * Conversions between the gateway's shapes and the Git Trees API's: the
 * entries `POST /git/trees` takes for a commit's files, and the entries
 * `GET /git/trees/{sha}?recursive=1` lists.
 */
import { Buffer } from "node:buffer";
import { GitHubError } from "../errors.ts";
import { type CommitFile, GIT_MODES, type GitMode, type TreeEntry } from "./gateway.ts";
import { isDotGit, isDotGitmodules, pathProblem, shownPath } from "./git_path.ts";

/** One entry of a `POST /git/trees` request: inline text, an uploaded blob, or `sha: null` to delete. */
export interface NewTreeEntry {
  path: string;
  mode: "100644" | "100755";
  type: "blob";
  sha?: string | null;
  content?: string;
}

/** The bytes as text when they are valid UTF-8 without NUL, else undefined. */
function utf8(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Checks `files` before anything is written to GitHub, whatever the caller checked before: each
 * path canonical ({@link pathProblem}) with no `.git` or `.gitmodules` component in any spelling,
 * each mode exactly `100644` or `100755` (never a symlink, a gitlink or a folder), each path once.
 * @throws GitHubError (prefixed by `what`) naming the first file that is not so.
 */
export function checkCommitFiles(files: readonly CommitFile[], what: string): void {
  const seen = new Set<string>();
  for (const file of files) {
    const mode: unknown = file.mode;
    const problem = typeof file.path !== "string"
      ? "the path is not a string"
      : (file.path.split("/").some((c) => isDotGit(c) || isDotGitmodules(c))
        ? "the path is or is under .git or .gitmodules"
        : undefined) ??
        pathProblem(file.path) ??
        (mode !== undefined && mode !== "100644" && mode !== "100755"
          ? `mode ${shownPath(String(mode))} is not 100644 or 100755`
          : undefined) ??
        (seen.has(file.path) ? "the path is listed twice" : undefined);
    if (problem !== undefined) {
      throw new GitHubError(
        `Cannot ${what}: "${shownPath(String(file.path))}" cannot be committed (${problem}); nothing was ` +
          "written to GitHub",
      );
    }
    seen.add(file.path);
  }
}

/**
 * Tree entries for `files`: UTF-8 text goes inline (`content`), binary content is uploaded first
 * with `upload` (base64, returns the blob sha), a file without content is a deletion. Mode
 * defaults to `100644`.
 */
export async function newTreeEntries(
  files: CommitFile[],
  upload: (path: string, base64: string) => Promise<string>,
): Promise<NewTreeEntry[]> {
  const entries: NewTreeEntry[] = [];
  for (const file of files) {
    const mode = file.mode ?? "100644";
    if (file.content === undefined) {
      entries.push({ path: file.path, mode, type: "blob", sha: null });
      continue;
    }
    const text = utf8(file.content);
    if (text !== undefined) {
      entries.push({ path: file.path, mode, type: "blob", content: text });
      continue;
    }
    const sha = await upload(file.path, Buffer.from(file.content).toString("base64"));
    entries.push({ path: file.path, mode, type: "blob", sha });
  }
  return entries;
}

/** What `GET /git/trees` lists for one entry (every field optional in Octokit's types). */
export interface ListedTreeEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
  size?: number;
}

const TYPES: Record<GitMode, TreeEntry["type"]> = {
  "100644": "blob",
  "100755": "blob",
  "120000": "blob",
  "160000": "commit",
  "040000": "tree",
};

/**
 * Checks a listed entry and returns it as a {@link TreeEntry}.
 * @throws GitHubError (prefixed by `what`) when a field is missing or the mode and type disagree.
 */
export function toTreeEntry(listed: ListedTreeEntry, what: string): TreeEntry {
  const mode = GIT_MODES.find((known) => known === listed.mode);
  if (
    typeof listed.path !== "string" || listed.path === "" || typeof listed.sha !== "string" ||
    mode === undefined || TYPES[mode] !== listed.type
  ) {
    throw new GitHubError(
      `Cannot ${what}: GitHub listed an entry the service does not understand (${
        JSON.stringify({ path: listed.path, mode: listed.mode, type: listed.type })
      })`,
    );
  }
  return {
    path: listed.path,
    mode,
    type: TYPES[mode],
    sha: listed.sha,
    ...(TYPES[mode] === "blob" && typeof listed.size === "number" ? { size: listed.size } : {}),
  };
}
