/**
 * What every gateway operation shares: the Octokit client, the wrapper that turns
 * any failure into a {@link GitHubError} without the token, and repo naming.
 */
import type { GitHubError } from "../errors.ts";
import type { RepoRef } from "./gateway.ts";
import type { Client } from "./octokit_client.ts";
import { toGitHubError } from "./octokit_errors.ts";

/** The client plus the token (kept private, only used to redact error messages). */
export class OctokitCalls {
  readonly octokit: Client;
  readonly #token: string;

  constructor(octokit: Client, token: string) {
    this.octokit = octokit;
    this.#token = token;
  }

  /** Runs `call`; a failure becomes a {@link GitHubError} naming `what`. */
  async attempt<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.fail(what, error);
    }
  }

  /** The {@link GitHubError} for `error` while doing `what`, never including the token. */
  fail(what: string, error: unknown): GitHubError {
    return toGitHubError(what, error, this.#token);
  }

  where(repo: RepoRef) {
    return { owner: repo.owner, repo: repo.name };
  }
}

export function name(repo: RepoRef): string {
  return `${repo.owner}/${repo.name}`;
}
