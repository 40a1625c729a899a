/** Pull requests and labels for the Octokit gateway. */
import type {
  BranchRef,
  OpenPullRequest,
  PullRequest,
  PullRequestInput,
  PullRequestUpdate,
  RepoRef,
} from "./gateway.ts";
import { name, type OctokitCalls } from "./octokit_calls.ts";
import { isValidationFailure } from "./octokit_errors.ts";

/** Whether `a` and `b` name the same repository (GitHub compares names without case). */
function sameRepo(a: RepoRef, b: RepoRef): boolean {
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.name.toLowerCase() === b.name.toLowerCase();
}

/** `branch`, or `owner/name:branch` for a branch of another repository, for messages. */
export function headName(repo: RepoRef, head: BranchRef): string {
  return sameRepo(repo, head.repo) ? head.branch : `${name(head.repo)}:${head.branch}`;
}

/** Open pull requests into `repo` from `head`: GitHub's `head` filter is `owner:branch`, the fork's owner for a fork. */
export async function listOpenPullRequests(
  api: OctokitCalls,
  repo: RepoRef,
  head: BranchRef,
): Promise<OpenPullRequest[]> {
  const pulls = await api.attempt(
    `list the open pull requests from "${headName(repo, head)}" in ${name(repo)}`,
    () =>
      api.octokit.paginate(api.octokit.rest.pulls.list, {
        ...api.where(repo),
        head: `${head.repo.owner}:${head.branch}`,
        state: "open",
        per_page: 100,
      }),
  );
  return pulls.map((pull) => ({
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    body: pull.body ?? "",
    base: pull.base.ref,
    author: pull.user?.login ?? "",
    labels: pull.labels.map((label) => label.name),
  }));
}

/**
 * Opens a pull request into `repo`. A head in a fork is sent as GitHub asks for a cross-repository pull
 * request: `head: "owner:branch"` with `head_repo: "owner/name"` (which GitHub needs when both are in one
 * organisation, and which names the fork unambiguously otherwise).
 */
export async function openPullRequest(
  api: OctokitCalls,
  repo: RepoRef,
  input: PullRequestInput,
): Promise<PullRequest> {
  const { head, ...rest } = input;
  const from = sameRepo(repo, head.repo)
    ? { head: head.branch }
    : { head: `${head.repo.owner}:${head.branch}`, head_repo: name(head.repo) };
  try {
    const { data } = await api.octokit.rest.pulls.create({ ...api.where(repo), ...rest, ...from });
    return { number: data.number, url: data.html_url };
  } catch (error) {
    if (input.draft && isValidationFailure(error, /draft pull requests are not supported/i)) {
      // GitHub Free private repos have no drafts: open a ready one instead of failing the job.
      return openPullRequest(api, repo, { ...input, draft: false });
    }
    throw api.fail(`open a pull request from "${headName(repo, head)}" in ${name(repo)}`, error);
  }
}

export async function updatePullRequest(
  api: OctokitCalls,
  repo: RepoRef,
  number: number,
  update: PullRequestUpdate,
): Promise<PullRequest> {
  const { data } = await api.attempt(
    `update pull request #${number} of ${name(repo)}`,
    () =>
      api.octokit.rest.pulls.update({
        ...api.where(repo),
        pull_number: number,
        title: update.title,
        body: update.body,
      }),
  );
  return { number: data.number, url: data.html_url };
}

export async function addLabels(
  api: OctokitCalls,
  repo: RepoRef,
  number: number,
  labels: string[],
): Promise<void> {
  if (labels.length === 0) return;
  await api.attempt(
    `label #${number} of ${name(repo)} with ${labels.join(", ")}`,
    () => api.octokit.rest.issues.addLabels({ ...api.where(repo), issue_number: number, labels }),
  );
}
