/**
 * Repository names as GitHub allows them, checked before a name reaches an allowlist or a URL:
 * `acme/..` matches the glob `acme/*` but, in a request path, leaves the owner
 * (`/repos/acme/../issues/12` is `/repos/issues/12`).
 *
 * - Owner (a user or organisation login): letters, digits and single hyphens, not at either end,
 *   1-39 characters (GitHub's sign-up form: "Username may only contain alphanumeric characters or
 *   single hyphens, and cannot begin or end with a hyphen", at most 39 characters).
 * - Name: ASCII letters, digits, `.`, `-` and `_`, 1-100 characters; not `.` or `..`; not ending in
 *   `.git` (GitHub strips it) or `.wiki` (reserved for the wiki) (GitHub Docs, "Repository limits":
 *   https://docs.github.com/en/repositories/creating-and-managing-repositories/repository-limits).
 *   Not starting with `-` either, which GitHub allows: such a name reads as an option to any tool
 *   it is handed to.
 */
import { z } from "@hono/zod-openapi";

const OWNER = /^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$/;
const NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,99}$/;

/** Why `repo` is not an `owner/name` GitHub allows, or undefined when it is one. */
export function repoNameProblem(repo: string): string | undefined {
  const parts = repo.split("/");
  if (parts.length !== 2) return 'must look like "owner/name"';
  const [owner, name] = parts as [string, string];
  if (!OWNER.test(owner)) {
    return "owner must be 1-39 letters, digits or single hyphens, not starting or ending with a hyphen";
  }
  if (!NAME.test(name)) {
    return "name must be 1-100 letters, digits, '.', '-' or '_', not starting with '-'";
  }
  if (name === "." || name === "..") return `name cannot be "${name}"`;
  if (/\.(?:git|wiki)$/i.test(name)) return 'name cannot end in ".git" or ".wiki"';
  return undefined;
}

/** A field holding `owner/name`, refused (422 `field: <the rule>`) unless GitHub allows that name. */
export function repoNameSchema(field: string) {
  return z.string({ error: `${field} is required: "owner/name"` }).max(141, "must be at most 141 characters")
    .superRefine((repo, ctx) => {
      const problem = repoNameProblem(repo);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}
