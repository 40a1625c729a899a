/** The pull request body's "Linked issue" section: the closing keyword and when it closes the issue. */
import type { Issue, RepoRef } from "./gateway.ts";
import { cutGraphemes } from "./grapheme_cut.ts";
import { codeSpan } from "./markdown_field.ts";
import { sanitizeUntrusted } from "./sanitize.ts";
import type { PullRequestBodyInput } from "./pull_request_body.ts";

/** `#N` for an issue of `repo`, `owner/name#N` for one elsewhere (a bare `#N` would mean another issue). */
function reference(issue: Issue, repo: RepoRef): string {
  const same = issue.repo.owner.toLowerCase() === repo.owner.toLowerCase() &&
    issue.repo.name.toLowerCase() === repo.name.toLowerCase();
  return same ? `#${issue.number}` : `${issue.repo.owner}/${issue.repo.name}#${issue.number}`;
}

/**
 * The "Linked issue" section (branch names cut to `branchMax` characters). GitHub closes an issue from a closing keyword only when the pull
 * request is merged into the default branch ("Linking a pull request to an issue", GitHub Docs),
 * so the section says which branch that is, and says plainly when merging this one will not.
 * The prose avoids `close #N` wording so GitHub reads only the first line as a closing keyword.
 */
export function linkedIssueSection(
  input: Pick<PullRequestBodyInput, "issue" | "parent" | "repo" | "base">,
  branchMax: number,
): string {
  const { issue, parent, repo, base } = input;
  const ref = reference(issue, repo);
  const lines = [`Closes ${ref}`, ...(parent ? [`Parent issue: ${reference(parent, repo)}`] : []), ""];
  const branch = (name: string) => codeSpan(cutGraphemes(sanitizeUntrusted(name), branchMax));
  const defaultBranch = branch(base.defaultBranch);
  lines.push(
    base.branch === base.defaultBranch
      ? `Issue ${ref} is closed automatically only when this pull request is merged into the ` +
        `default branch, ${defaultBranch}.`
      : `This pull request merges into ${branch(base.branch)}, not the default branch ` +
        `${defaultBranch}: merging it will not close issue ${ref}. GitHub closes linked issues ` +
        `only on merges into the default branch.`,
  );
  return lines.join("\n");
}
