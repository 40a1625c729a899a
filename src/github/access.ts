/**
 * Opens GitHub for one job: a token for the job's repository, and for the fork
 * of fork mode (an App installation token, or the configured token), and a
 * gateway using it. Closing revokes a minted token.
 */
import type { GitHubCredentials } from "./credentials.ts";
import type { GitHubGateway, RepoRef } from "./gateway.ts";
import { createOctokitGateway, type OctokitGatewayOptions } from "./octokit_gateway.ts";

/** GitHub for one job. */
export interface GitHubSession {
  gateway: GitHubGateway;
  /** Revokes the job's token when it was minted for it; idempotent; never throws. */
  close(): Promise<void>;
}

/** Opens a {@link GitHubSession} per job. */
export interface GitHubAccess {
  /** @param signal the job's: once it aborts, the session's GitHub calls stop waiting out back-offs. */
  open(repo: RepoRef, signal?: AbortSignal): Promise<GitHubSession>;
}

/** Builds {@link GitHubAccess} from credentials and the gateway's options (all but the token). */
export function createGitHubAccess(
  credentials: GitHubCredentials,
  options: Omit<OctokitGatewayOptions, "token">,
): GitHubAccess {
  return {
    async open(repo: RepoRef, signal?: AbortSignal): Promise<GitHubSession> {
      const { token, release } = await credentials.forRepos(
        options.headRepo ? [repo, options.headRepo] : [repo],
      );
      return {
        gateway: createOctokitGateway({ ...options, token, ...(signal ? { signal } : {}) }),
        close: release,
      };
    },
  };
}
