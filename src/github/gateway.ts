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
  /** `open` or `closed` (GitHub's `state`). */
  state: "open" | "closed";
  /** The repository the issue lives in (a sub-issue may live in another one than its parent). */
  repo: RepoRef;
}

/** The commit a job starts from. */
export interface BaseCommit {
  branch: string;
  sha: string;
  /** The commit's root tree. */
  treeSha: string;
  /** The repository's default branch (GitHub closes linked issues only on merges into it). */
  defaultBranch: string;
}

/** Git file modes of entries in a tree (GitHub's Git Trees API). */
export const GIT_MODES = ["100644", "100755", "120000", "160000", "040000"] as const;

/** One of {@link GIT_MODES}: file, executable, symlink, gitlink (submodule), folder. */
export type GitMode = typeof GIT_MODES[number];

/** One entry of a commit's recursive tree. */
export interface TreeEntry {
  /** Path from the repository root, `/`-separated. */
  path: string;
  mode: GitMode;
  /** `blob` (files and symlinks), `tree` (folders) or `commit` (a submodule's gitlink). */
  type: "blob" | "tree" | "commit";
  /** The object id: for a blob, git's hash of its bytes; for a gitlink, the submodule's commit. */
  sha: string;
  /** Bytes of a blob; absent for other types. */
  size?: number;
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
  /**
   * The branch's head as last read (see {@link GitHubGateway.getBranchHead}); undefined when it did not
   * exist. The branch is created when undefined, else moved only from this commit: fast-forward (never
   * forced) when it is `baseSha`, as for a follow-up commit; forced when the branch is rebuilt on the base.
   */
  expectedHeadSha?: string;
}

/** A commit at the head of a branch, as the ownership check reads it. */
export interface BranchHead {
  sha: string;
  /** The full commit message (trailers included). */
  message: string;
  /** The author's name as git recorded it. */
  authorName: string;
  /** The author's GitHub login, when GitHub links the commit to an account. */
  authorLogin?: string;
}

/** A branch of a repository: the head of a pull request, which may live in a fork of its base. */
export interface BranchRef {
  repo: RepoRef;
  branch: string;
}

/** Input for {@link GitHubGateway.openPullRequest}. */
export interface PullRequestInput {
  /** The branch with the changes: in the pull request's repository, or in its fork ({@link GitHubGateway.headRepo}). */
  head: BranchRef;
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

/** An open pull request found by its head branch. */
export interface OpenPullRequest extends PullRequest {
  title: string;
  body: string;
  /** Branch it merges into. */
  base: string;
  /** Login of the account that opened it. */
  author: string;
  /** Names of its labels. */
  labels: string[];
}

/** A pull request read by its number, whatever its state (see {@link GitHubGateway.getPullRequest}). */
export interface PullRequestState extends OpenPullRequest {
  state: "open" | "closed";
  merged: boolean;
  /** The branch with its changes (in the repository or a fork of it). */
  head: BranchRef;
  /** The head branch's commit when GitHub answered. */
  headSha: string;
}

/** A review comment on a pull request's diff (a thread's first comment has no `inReplyTo`). */
export interface ReviewComment {
  id: number;
  /** The comment this one answers: the thread's first comment. */
  inReplyTo?: number;
  /** The file it is on, from the repository root. */
  path: string;
  /** The line of the file it is on (the last one of a range), when GitHub still places it. */
  line?: number;
  /** The diff lines around it, as GitHub shows them. */
  diffHunk: string;
  body: string;
  /** Login of its author. */
  author: string;
  url: string;
}

/** Input for {@link GitHubGateway.updatePullRequest}. */
export interface PullRequestUpdate {
  title: string;
  body: string;
}

/**
 * What {@link GitHubGateway.moveOnBoard} did: `moved` on the projects named (already in that column
 * counts); the item is on `no_project`; its projects have `no_column` of that name (nor a Status
 * field); or the token may not edit them (`forbidden`). `status` is the column asked for.
 */
export interface BoardMove {
  kind: "moved" | "no_project" | "no_column" | "forbidden";
  status: string;
  /** Titles of the projects concerned (none for `no_project`). */
  projects?: string[];
}

/** An issue comment that exists on GitHub. */
export interface IssueComment {
  id: number;
  url: string;
}

/**
 * A user's role on a repository, from GitHub's collaborator-permission API (`role_name`): `none` when
 * they have no access (or no account of that login exists).
 */
export type RepoPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** Every GitHub operation the pipeline uses. */
export interface GitHubGateway {
  getIssue(repo: RepoRef, number: number): Promise<Issue>;
  /** The issue's sub-issues, in GitHub's order (each with its own repository and state). */
  listSubIssues(repo: RepoRef, number: number): Promise<Issue[]>;
  /** Head commit of `branch`, or of the default branch when `branch` is undefined. */
  resolveBase(repo: RepoRef, branch?: string): Promise<BaseCommit>;
  /**
   * Every entry of tree `treeSha`, recursively.
   * @throws GitHubError when GitHub truncates the listing (over 100,000 entries or 7 MB).
   */
  getTree(repo: RepoRef, treeSha: string): Promise<TreeEntry[]>;
  /** The bytes of blob `sha`. */
  getBlob(repo: RepoRef, sha: string): Promise<Uint8Array>;
  /** The gzip tarball of the repo at `sha`, streamed. */
  downloadTarball(repo: RepoRef, sha: string): Promise<ReadableStream<Uint8Array>>;
  /** The head commit of `branch`, or undefined when the branch does not exist. */
  getBranchHead(repo: RepoRef, branch: string): Promise<BranchHead | undefined>;
  /**
   * Blobs → tree on the base tree → commit → branch ref. Returns the new commit sha.
   * @throws GitHubError when the branch moved away from `expectedHeadSha` (or was created) meanwhile.
   */
  pushBranch(repo: RepoRef, input: PushInput): Promise<{ commitSha: string }>;
  /**
   * The repository the service pushes the branches of pull requests into `repo` to: `repo` itself, or the
   * fork `PR_HEAD_REPO` names (fork mode), where no workflow of `repo` runs with its secrets.
   */
  headRepo(repo: RepoRef): RepoRef;
  /**
   * Checks before any work starts that the service can push its branches: {@link headRepo} grants the
   * token push (GitHub's `permissions.push`, when GitHub reports it), and in fork mode it is a fork of
   * `repo` (its `fork` and `parent`/`source`).
   * @throws GitHubError naming the repository and the fix when it cannot.
   */
  verifyHeadRepo(repo: RepoRef): Promise<void>;
  /** Open pull requests into `repo` whose head is `head` (a branch of `repo` or of a fork of it). */
  listOpenPullRequests(repo: RepoRef, head: BranchRef): Promise<OpenPullRequest[]>;
  /** Pull request `number` of `repo`, open or not. */
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestState>;
  /** Every review comment of pull request `number`, oldest first. */
  listReviewComments(repo: RepoRef, number: number): Promise<ReviewComment[]>;
  /** Answers review comment `commentId` of pull request `number` in its thread. */
  replyToReviewComment(
    repo: RepoRef,
    number: number,
    commentId: number,
    body: string,
  ): Promise<{ url: string }>;
  /** Opens a pull request into `repo` from `input.head` (a ready one where drafts are not supported). */
  openPullRequest(repo: RepoRef, input: PullRequestInput): Promise<PullRequest>;
  /** Rewrites the title and body of pull request `number`. */
  updatePullRequest(repo: RepoRef, number: number, update: PullRequestUpdate): Promise<PullRequest>;
  /** Adds `labels` to issue or pull request `number` (creating missing labels, as GitHub does). */
  addLabels(repo: RepoRef, number: number, labels: string[]): Promise<void>;
  /** `login`'s role on `repo` (needs the App's `metadata` read permission, which every App has). */
  getPermission(repo: RepoRef, login: string): Promise<RepoPermission>;
  /**
   * Sets the `Status` of issue `number`'s items on its Projects v2 boards to the column `status` (GraphQL).
   * A missing board, column or permission is an answer, not an error.
   */
  moveOnBoard(repo: RepoRef, number: number, status: string): Promise<BoardMove>;
  /** Comments `body` on issue (or pull request) `number`. */
  createIssueComment(repo: RepoRef, number: number, body: string): Promise<IssueComment>;
  /** Rewrites the body of issue comment `id`; undefined when that comment is gone (deleted). */
  updateIssueComment(repo: RepoRef, id: number, body: string): Promise<IssueComment | undefined>;
}
