/** How the host authenticates to GitHub, from the settings (`GITHUB_TOKEN`, `GITHUB_APP_*`). */
import type { Settings } from "./config_schema.ts";
import { ConfigError } from "./errors.ts";
import type { RepoRef } from "./github/gateway.ts";

/** How the host authenticates to GitHub: a token, or a GitHub App installation. */
export type GitHubAuthConfig =
  | { kind: "token"; token: string }
  | { kind: "app"; appId: number; privateKey: string; installationId: number };

/** Picks the GitHub credentials: a complete App configuration wins over a token; one of the two is required. */
export function githubAuth(e: Settings, readTextFile: (path: string) => string): GitHubAuthConfig {
  const appParts = [
    e.GITHUB_APP_ID,
    e.GITHUB_APP_PRIVATE_KEY ?? e.GITHUB_APP_PRIVATE_KEY_PATH,
    e.GITHUB_APP_INSTALLATION_ID,
  ];
  if (appParts.some((p) => p !== undefined)) {
    if (appParts.some((p) => p === undefined)) {
      throw new ConfigError(
        "Invalid configuration:\n  - a GitHub App needs GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and " +
          "GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_PATH)",
      );
    }
    if (e.GITHUB_APP_PRIVATE_KEY !== undefined && e.GITHUB_APP_PRIVATE_KEY_PATH !== undefined) {
      throw new ConfigError(
        "Invalid configuration:\n  - GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_FILE) and " +
          "GITHUB_APP_PRIVATE_KEY_PATH are both set: keep one",
      );
    }
    let privateKey = e.GITHUB_APP_PRIVATE_KEY;
    if (privateKey === undefined) {
      try {
        privateKey = readTextFile(e.GITHUB_APP_PRIVATE_KEY_PATH!);
      } catch (error) {
        throw new ConfigError(
          `Invalid configuration:\n  - GITHUB_APP_PRIVATE_KEY_PATH: cannot read ${e.GITHUB_APP_PRIVATE_KEY_PATH}`,
          { cause: error },
        );
      }
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
      throw new ConfigError(
        "Invalid configuration:\n  - the GitHub App private key is not a PEM private key",
      );
    }
    return {
      kind: "app",
      appId: e.GITHUB_APP_ID!,
      privateKey,
      installationId: e.GITHUB_APP_INSTALLATION_ID!,
    };
  }
  if (e.GITHUB_TOKEN) return { kind: "token", token: e.GITHUB_TOKEN };
  throw new ConfigError(`Invalid configuration:\n  - ${MISSING_GITHUB_CREDENTIALS}`);
}

/** What to set when no GitHub credentials are configured. */
export const MISSING_GITHUB_CREDENTIALS = "GITHUB_TOKEN is required (contents:write, pull_requests:write, " +
  "issues:read), or a GitHub App: GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY " +
  "(or GITHUB_APP_PRIVATE_KEY_PATH)";

/** `PR_HEAD_REPO` (already checked as `owner/name`) as `{ headRepo }`, or nothing when unset. */
export function headRepoOf(e: Settings): { headRepo?: RepoRef } {
  if (!e.PR_HEAD_REPO) return {};
  const [owner = "", name = ""] = e.PR_HEAD_REPO.split("/");
  return { headRepo: { owner, name } };
}
