/** Pull requests and labels for the Octokit gateway. */
import type {
  OpenPullRequest,
  PullRequest,
  PullRequestInput,
  PullRequestUpdate,
  RepoRef,
} from "./gateway.ts";
import { name, type OctokitCalls } from "./octokit_calls.ts";
import { isValidationFailure } from "./octokit_errors.ts";

export async function listOpenPullRequests(
  api: OctokitCalls,
  repo: RepoRef,
  branch: string,
): Promise<OpenPullRequest[]> {
  const pulls = await api.attempt(
    `list the open pull requests from "${branch}" in ${name(repo)}`,
    () =>
      api.octokit.paginate(api.octokit.rest.pulls.list, {
        ...api.where(repo),
        head: `${repo.owner}:${branch}`,
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

export async function openPullRequest(
  api: OctokitCalls,
  repo: RepoRef,
  input: PullRequestInput,
): Promise<PullRequest> {
  try {
    const { data } = await api.octokit.rest.pulls.create({ ...api.where(repo), ...input });
    return { number: data.number, url: data.html_url };
  } catch (error) {
    if (input.draft && isValidationFailure(error, /draft pull requests are not supported/i)) {
      // GitHub Free private repos have no drafts: open a ready one instead of failing the job.
      return openPullRequest(api, repo, { ...input, draft: false });
    }
    throw api.fail(`open a pull request from "${input.head}" in ${name(repo)}`, error);
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
