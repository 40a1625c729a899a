/**
 * The host-side half of the path jail: a tool path must be absolute, under
 * /workspace, free of `..`, NUL bytes and `.git/`. The container re-checks
 * with `realpath` (symlinks) before touching anything.
 */
import { ToolError } from "../errors.ts";
import { WORKSPACE } from "./sandbox.ts";

/**
 * Returns the normalised path (no trailing slash, single slashes).
 * @throws ToolError naming the path and the rule it broke.
 */
export function checkToolPath(path: unknown): string {
  if (typeof path !== "string" || path.length === 0) throw new ToolError("A path is required");
  if (path.includes("\0")) throw new ToolError("The path contains a NUL byte");
  if (path.length > 4096) throw new ToolError("The path is longer than 4096 characters");
  if (!path.startsWith("/")) {
    throw new ToolError(
      `The path ${path} is not absolute; use an absolute path under ${WORKSPACE}, e.g. ${WORKSPACE}/${path}`,
    );
  }
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new ToolError(`The path ${path} contains "..", which is not allowed`);
  const normal = "/" + parts.join("/");
  if (normal !== WORKSPACE && !normal.startsWith(WORKSPACE + "/")) {
    throw new ToolError(
      `The path ${path} is outside ${WORKSPACE}; only files under ${WORKSPACE} can be used`,
    );
  }
  if (parts[1] === ".git") {
    throw new ToolError(`The path ${path} is inside .git/, which the tools do not touch`);
  }
  return normal;
}
