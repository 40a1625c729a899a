/** Who a verified credential belongs to, and what it may do. */

/**
 * The scopes the API knows. `jobs:admin` implies `jobs:read` and `jobs:write` and adds acting on
 * jobs other principals submitted (cancelling them), within the repository allowlist; `admin`
 * implies every scope and every repository.
 */
export const SCOPES = ["jobs:read", "jobs:write", "jobs:admin", "admin"] as const;

/** One of {@link SCOPES}. */
export type Scope = typeof SCOPES[number];

/** A verified caller. */
export interface Principal {
  /** Stable id, recorded as a job's submitter: `jwt:<sub>`, `key:<name>` or `anonymous`. */
  id: string;
  kind: "jwt" | "api_key" | "anonymous";
  scopes: ReadonlySet<Scope>;
  /** Repository globs (`acme/*`, `acme/api`, `*`), matched case-insensitively. */
  repos: readonly string[];
}

/** The principal of `AUTH_DISABLED=true`: every scope, every repository. */
export const ANONYMOUS: Principal = {
  id: "anonymous",
  kind: "anonymous",
  scopes: new Set<Scope>(SCOPES),
  repos: ["*"],
};

/** Repository globs: `owner/name` characters plus `*` and `?`. */
export const REPO_PATTERN = /^[A-Za-z0-9._*?\/-]{1,141}$/;

/** Whether `principal` holds `scope`: directly, through `jobs:admin` (read, write) or through `admin`. */
export function hasScope(principal: Principal, scope: Scope): boolean {
  const { scopes } = principal;
  return scopes.has(scope) || scopes.has("admin") ||
    ((scope === "jobs:read" || scope === "jobs:write") && scopes.has("jobs:admin"));
}

/** The globs limiting what `principal` may see; undefined when it may see every repository. */
export function repoPatterns(principal: Principal): readonly string[] | undefined {
  return principal.scopes.has("admin") || principal.repos.includes("*") ? undefined : principal.repos;
}

/** Whether `principal` may act on `repo` (`owner/name`). */
export function repoAllowed(principal: Principal, repo: string): boolean {
  const patterns = repoPatterns(principal);
  return patterns === undefined || patterns.some((p) => globToRegExp(p).test(repo));
}

/** `*` matches any run of characters, `?` one; case-insensitive, like SQLite's GLOB on lower-cased text. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\\/-]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}
