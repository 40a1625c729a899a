/**
 * Paths a manifest names (a `-r` include, a lock's local package), resolved to repo-relative POSIX paths, or
 * refused when they are not plain paths inside the repository.
 */

/** Why a path was refused, for the error message. */
export type RepoPathRefusal = "url" | "absolute" | "outside";

/** A resolved path, or why it was refused. */
export type RepoPathResult = { path: string } | { refused: RepoPathRefusal };

/** `scheme:` at the start: `https://…`, `file:…`, `git+ssh://…` (a Windows drive letter counts too). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Resolves `target` relative to the folder `base` (repo-relative, `""` for the root), folding `.` and `..`.
 * URLs, absolute paths (`/…`, `\…`, `~…`) and paths that climb above the root are refused.
 */
export function resolveRepoPath(base: string, target: string): RepoPathResult {
  if (SCHEME.test(target)) return { refused: "url" };
  if (/^[/\\~]/.test(target)) return { refused: "absolute" };
  const parts = base === "" ? [] : base.split("/");
  for (const part of target.split(/[/\\]/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return { refused: "outside" };
      parts.pop();
    } else parts.push(part);
  }
  return { path: parts.join("/") };
}

/** The folder of a repo-relative path (`a/b/c.txt` → `a/b`, `c.txt` → `""`). */
export function folderOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at < 0 ? "" : path.slice(0, at);
}

/** Words for a refusal: `is a URL`, `is an absolute path`, `leaves the repository`. */
export function refusalText(refusal: RepoPathRefusal): string {
  return refusal === "url"
    ? "is a URL"
    : refusal === "absolute"
    ? "is an absolute path"
    : "leaves the repository";
}
