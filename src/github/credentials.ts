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

/** Hands out tokens per repository. */
export interface GitHubCredentials {
  /** `app` or `token`, for logs. */
  readonly kind: "app" | "token";
  forRepo(repo: RepoRef): Promise<RepoToken>;
}

/** The permissions an installation token is asked for: nothing more than the pipeline uses. */
export const INSTALLATION_PERMISSIONS = {
  contents: "write",
  pull_requests: "write",
  issues: "read",
  metadata: "read",
} as const;

/** A fixed token (personal access token or a token a CI system provides). */
export function tokenCredentials(token: string): GitHubCredentials {
  return { kind: "token", forRepo: () => Promise.resolve({ token, release: () => Promise.resolve() }) };
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
 * A GitHub App: each job gets an installation token limited to its repository
 * and to {@link INSTALLATION_PERMISSIONS}; `release()` revokes it.
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
  return {
    kind: "app",
    async forRepo(repo: RepoRef): Promise<RepoToken> {
      let token: string;
      try {
        ({ token } = await auth({
          type: "installation",
          repositoryNames: [repo.name],
          permissions: { ...INSTALLATION_PERMISSIONS },
          refresh: true,
        }));
      } catch (error) {
        const status = (error as { status?: number }).status;
        throw new GitHubError(
          `Cannot get an installation token of GitHub App ${options.appId} for ${repo.owner}/${repo.name}: ` +
            (status ? `GitHub answered ${status}` : "GitHub could not be reached"),
          { cause: error },
        );
      }
      let released: Promise<void> | undefined;
      return {
        token,
        release() {
          released ??= request("DELETE /installation/token", { headers: { authorization: `token ${token}` } })
            .then(() => undefined, () => undefined);
          return released;
        },
      };
    },
  };
}
