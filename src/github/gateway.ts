/**
 * The narrow boundary between the pipeline and GitHub. The Octokit
 * implementation lives in `octokit_gateway.ts`; the token stays on the host.
 */

/** `owner/name` split in two. */
export interface RepoRef {
  owner: string;
  name: string;
}

/** An issue as the pipeline needs it. */
export interface Issue {
  number: number;
  title: string;
  body: string;
  url: string;
}

/** The commit a job starts from. */
export interface BaseCommit {
  branch: string;
  sha: string;
}

/** A file to write in a commit; a deletion has no content. */
export interface CommitFile {
  path: string;
  mode?: "100644" | "100755";
  content?: Uint8Array;
}

/** Input for {@link GitHubGateway.pushBranch}. */
export interface PushInput {
  /** Parent commit; the new tree is built on its tree. */
  baseSha: string;
  /** Branch to create or move, without `refs/heads/`. */
  branch: string;
  message: string;
  files: CommitFile[];
}

/** Input for {@link GitHubGateway.openPullRequest}. */
export interface PullRequestInput {
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
}

/** A pull request that exists on GitHub. */
export interface PullRequest {
  number: number;
  url: string;
}

/** Every GitHub operation the pipeline uses. */
export interface GitHubGateway {
  getIssue(repo: RepoRef, number: number): Promise<Issue>;
  /** The issue's sub-issues, in GitHub's order. */
  listSubIssues(repo: RepoRef, number: number): Promise<Issue[]>;
  /** Head commit of `branch`, or of the default branch when `branch` is undefined. */
  resolveBase(repo: RepoRef, branch?: string): Promise<BaseCommit>;
  /** The gzip tarball of the repo at `sha`, streamed. */
  downloadTarball(repo: RepoRef, sha: string): Promise<ReadableStream<Uint8Array>>;
  /** Blobs → tree on the base tree → commit → branch ref. Returns the new commit sha. */
  pushBranch(repo: RepoRef, input: PushInput): Promise<{ commitSha: string }>;
  openPullRequest(repo: RepoRef, input: PullRequestInput): Promise<PullRequest>;
}
