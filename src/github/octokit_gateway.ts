/**
 * {@link GitHubGateway} over the GitHub REST API with `@octokit/rest`. Works
 * against api.github.com, GitHub Enterprise Server (`…/api/v3`) and the test
 * stand-in alike: only `baseUrl` changes.
 *
 * The operations live by topic: git data in `octokit_git.ts`, issues in
 * `octokit_issues.ts`, pull requests and labels in `octokit_pulls.ts`.
 */
import type {
  BaseCommit,
  BoardMove,
  BranchHead,
  BranchRef,
  GitHubGateway,
  Issue,
  IssueComment,
  OpenPullRequest,
  PullRequest,
  PullRequestInput,
  PullRequestState,
  PullRequestUpdate,
  PushInput,
  RepoPermission,
  RepoRef,
  ReviewComment,
  TreeEntry,
} from "./gateway.ts";
import { OctokitCalls } from "./octokit_calls.ts";
import { createOctokitClient, type OctokitGatewayOptions } from "./octokit_client.ts";
import * as git from "./octokit_git.ts";
import * as board from "./project_board.ts";
import * as issues from "./octokit_issues.ts";
import * as pulls from "./octokit_pulls.ts";
import { getPermission } from "./octokit_permissions.ts";
import * as review from "./octokit_review.ts";

export type { OctokitGatewayOptions };

/** The gateway; one short method per operation, every failure a {@link GitHubError}. */
class OctokitGateway implements GitHubGateway {
  readonly #api: OctokitCalls;
  readonly #headRepo: RepoRef | undefined;

  constructor(api: OctokitCalls, headRepo: RepoRef | undefined) {
    this.#api = api;
    this.#headRepo = headRepo;
  }

  headRepo(repo: RepoRef): RepoRef {
    return this.#headRepo ?? repo;
  }

  async verifyHeadRepo(repo: RepoRef): Promise<void> {
    await git.verifyPushTarget(this.#api, this.headRepo(repo), repo);
  }

  getIssue(repo: RepoRef, number: number): Promise<Issue> {
    return issues.getIssue(this.#api, repo, number);
  }

  listSubIssues(repo: RepoRef, number: number): Promise<Issue[]> {
    return issues.listSubIssues(this.#api, repo, number);
  }

  resolveBase(repo: RepoRef, branch?: string): Promise<BaseCommit> {
    return git.resolveBase(this.#api, repo, branch);
  }

  getTree(repo: RepoRef, treeSha: string): Promise<TreeEntry[]> {
    return git.getTree(this.#api, repo, treeSha);
  }

  getBlob(repo: RepoRef, sha: string): Promise<Uint8Array> {
    return git.getBlob(this.#api, repo, sha);
  }

  downloadTarball(repo: RepoRef, sha: string): Promise<ReadableStream<Uint8Array>> {
    return git.downloadTarball(this.#api, repo, sha);
  }

  getBranchHead(repo: RepoRef, branch: string): Promise<BranchHead | undefined> {
    return git.getBranchHead(this.#api, repo, branch);
  }

  pushBranch(repo: RepoRef, input: PushInput): Promise<{ commitSha: string }> {
    return git.pushBranch(this.#api, repo, input);
  }

  listOpenPullRequests(repo: RepoRef, head: BranchRef): Promise<OpenPullRequest[]> {
    return pulls.listOpenPullRequests(this.#api, repo, head);
  }

  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestState> {
    return review.getPullRequest(this.#api, repo, number);
  }

  listReviewComments(repo: RepoRef, number: number): Promise<ReviewComment[]> {
    return review.listReviewComments(this.#api, repo, number);
  }

  replyToReviewComment(
    repo: RepoRef,
    number: number,
    commentId: number,
    body: string,
  ): Promise<{ url: string }> {
    return review.replyToReviewComment(this.#api, repo, number, commentId, body);
  }

  openPullRequest(repo: RepoRef, input: PullRequestInput): Promise<PullRequest> {
    return pulls.openPullRequest(this.#api, repo, input);
  }

  updatePullRequest(repo: RepoRef, number: number, update: PullRequestUpdate): Promise<PullRequest> {
    return pulls.updatePullRequest(this.#api, repo, number, update);
  }

  addLabels(repo: RepoRef, number: number, labels: string[]): Promise<void> {
    return pulls.addLabels(this.#api, repo, number, labels);
  }

  getPermission(repo: RepoRef, login: string): Promise<RepoPermission> {
    return getPermission(this.#api, repo, login);
  }

  moveOnBoard(repo: RepoRef, number: number, status: string): Promise<BoardMove> {
    return board.moveOnBoard(this.#api, repo, number, status);
  }

  createIssueComment(repo: RepoRef, number: number, body: string): Promise<IssueComment> {
    return issues.createIssueComment(this.#api, repo, number, body);
  }

  updateIssueComment(repo: RepoRef, id: number, body: string): Promise<IssueComment | undefined> {
    return issues.updateIssueComment(this.#api, repo, id, body);
  }
}

/**
 * Creates the Octokit-backed gateway (see {@link createOctokitClient} for the client's retries and
 * throttling). Validates the options when called.
 *
 * Every failure is a {@link GitHubError} whose message names the operation and
 * GitHub's status (e.g. `Cannot read issue #12 of acme/tasks: GitHub answered
 * 404 Not Found`), never the token; the Octokit error (its authorization header
 * already redacted by Octokit) is the `cause`.
 *
 * Permissions: contents (read, write to push), issues (read, write to label and comment), pull
 * requests (read, write to open and update), projects (`organization_projects` or
 * `repository_projects`, write, to move the board).
 *
 * @throws ConfigError when the token is empty or `baseUrl` is not an http(s) URL.
 * Needs `--allow-net` to the API host (and to codeload for tarballs).
 */
export function createOctokitGateway(options: OctokitGatewayOptions): GitHubGateway {
  const { octokit, token } = createOctokitClient(options);
  return new OctokitGateway(new OctokitCalls(octokit, token), options.headRepo);
}
