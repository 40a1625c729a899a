/**
 * Where the host's GitHub token comes from: a configured token, or a GitHub
 * App installation token requested for the one repository a job works on,
 * with only the permissions the pipeline needs, and revoked when the job ends.
 */
import { createAppAuth } from "@octokit/auth-app";
import { request as octokitRequest } from "@octokit/request";
import { GitHubError } from "../errors.ts";
import type { RepoRef } from "./gateway.ts";

/** A token usable for one repository, and how to give it back. */
export interface RepoToken {
  token: string;
  /** Revokes the token when it was minted for this job; idempotent; never throws. */
  release(): Promise<void>;
}

/** Hands out tokens per job: one token for every repository the job reads or writes. */
export interface GitHubCredentials {
  /** `app` or `token`, for logs. */
  readonly kind: "app" | "token";
  /** A token for `repos` (the job's repository, and in fork mode the fork). */
  forRepos(repos: readonly RepoRef[]): Promise<RepoToken>;
}

/**
 * The permissions an installation token is asked for: nothing more than the pipeline uses (issues write
 * for the progress comment, organization projects write for the board's Status column). Those in
 * {@link OPTIONAL_PERMISSIONS} are dropped when the installation was not granted them.
 */
export const INSTALLATION_PERMISSIONS = {
  contents: "write",
  pull_requests: "write",
  issues: "write",
  organization_projects: "write",
  metadata: "read",
} as const;

/**
 * Permissions a job can do without: an installation not granted them still gets a token (GitHub answers
 * 422 to a token asking for more than the installation has), and the board is then left alone, the
 * progress comment naming the column instead.
 */
export const OPTIONAL_PERMISSIONS: readonly (keyof typeof INSTALLATION_PERMISSIONS)[] = [
  "organization_projects",
];

/** The 422 GitHub answers to a token asking for permissions the installation was not granted. */
function notGranted(error: unknown): boolean {
  const failed = error as { status?: number; response?: { data?: { message?: unknown } } };
  return failed.status === 422 && /permissions/i.test(String(failed.response?.data?.message ?? ""));
}

/** A fixed token (personal access token or a token a CI system provides). */
export function tokenCredentials(token: string): GitHubCredentials {
  return { kind: "token", forRepos: () => Promise.resolve({ token, release: () => Promise.resolve() }) };
}

/** Settings of a GitHub App installation. */
export interface AppCredentialOptions {
  appId: number;
  /** PEM (PKCS#1 or PKCS#8) private key of the App. */
  privateKey: string;
  installationId: number;
  /** REST API root (the `GITHUB_API_URL` setting). */
  baseUrl: string;
}

/**
 * A GitHub App: each job gets an installation token limited to its repositories
 * and to {@link INSTALLATION_PERMISSIONS}; `release()` revokes it. One
 * installation belongs to one account, so the repositories (the job's and, in
 * fork mode, the fork) must share an owner.
 * Needs `--allow-net` to the API host.
 */
export function appCredentials(options: AppCredentialOptions): GitHubCredentials {
  const request = octokitRequest.defaults({ baseUrl: options.baseUrl });
  const auth = createAppAuth({
    appId: options.appId,
    privateKey: options.privateKey,
    installationId: options.installationId,
    request,
  });
  // auth-app hands the same token to requests for the same repositories made at the same time: each
  // holder counts, and the token is revoked when the last one gives it back, not under another's feet.
  const holders = new Map<string, number>();
  return {
    kind: "app",
    async forRepos(repos: readonly RepoRef[]): Promise<RepoToken> {
      const [repo = { owner: "", name: "" }] = repos;
      const names = repos.map((r) => `${r.owner}/${r.name}`).join(" and ");
      if (repos.some((other) => other.owner.toLowerCase() !== repo.owner.toLowerCase())) {
        throw new GitHubError(
          `Cannot get an installation token of GitHub App ${options.appId} for ${names}: one installation ` +
            `token reaches one account's repositories; put the fork (PR_HEAD_REPO) in ${repo.owner}, or use ` +
            `GITHUB_TOKEN`,
        );
      }
      const ask = (permissions: Record<string, string>) =>
        auth({
          type: "installation",
          repositoryNames: [...new Set(repos.map((r) => r.name))],
          permissions,
          refresh: true,
        });
      let token: string;
      try {
        ({ token } = await ask({ ...INSTALLATION_PERMISSIONS }).catch((error: unknown) => {
          if (!notGranted(error)) throw error;
          const needed = Object.entries(INSTALLATION_PERMISSIONS)
            .filter(([name]) => !(OPTIONAL_PERMISSIONS as readonly string[]).includes(name));
          return ask(Object.fromEntries(needed));
        }));
      } catch (error) {
        const status = (error as { status?: number }).status;
        throw new GitHubError(
          `Cannot get an installation token of GitHub App ${options.appId} for ${names}: ` +
            (status ? `GitHub answered ${status}` : "GitHub could not be reached"),
          { cause: error },
        );
      }
      holders.set(token, (holders.get(token) ?? 0) + 1);
      let released: Promise<void> | undefined;
      return {
        token,
        release() {
          released ??= (() => {
            const left = (holders.get(token) ?? 1) - 1;
            if (left > 0) {
              holders.set(token, left);
              return Promise.resolve();
            }
            holders.delete(token);
            return request("DELETE /installation/token", { headers: { authorization: `token ${token}` } })
              .then(() => undefined, () => undefined);
          })();
          return released;
        },
      };
    },
  };
}
