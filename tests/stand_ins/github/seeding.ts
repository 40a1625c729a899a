/**
 * What tests put on the stand-in directly, as people would on GitHub:
 * repositories (with gitlinks), issues (closed ones, sub-issues elsewhere),
 * commits pushed by a person, pull requests opened by a person.
 */
import type { ScenarioIssue } from "../../../examples/scenario.ts";
import type { GitMode } from "./git_objects.ts";
import { isoNow, type IssueRef, nextIssueNumber, type StandInState, type StoredRepo } from "./state.ts";
import { buildTree, flattenTree, type PathEntry } from "./tree_paths.ts";
import { ensureLabel } from "./wire_label.ts";

/** Options for {@link seedRepo}. */
export interface AddRepoOptions {
  defaultBranch: string;
  /** Path (with `/`) → content of the default branch's first commit. */
  files: Map<string, Uint8Array>;
  /** Git modes by path; default `100644`. */
  modes?: Map<string, "100644" | "100755" | "120000">;
  /** Submodules: path → the commit id the gitlink records (mode 160000; the commit need not exist). */
  gitlinks?: Map<string, string>;
  /** Whether draft pull requests are allowed (GitHub Free private repos: no); default true. */
  allowDrafts?: boolean;
}

/** A commit a person pushes (see {@link commitAs}). */
export interface PersonCommit {
  /** Path → new content, or null to delete it; applied on the branch head. */
  files: Map<string, Uint8Array | null>;
  message: string;
  /** The pusher: a GitHub account (created when new), and the name git records. */
  author: { login: string; name?: string };
}

/** A pull request a person opens (see {@link pullAs}). */
export interface PersonPull {
  /** Branch of the same repository. */
  head: string;
  base: string;
  title: string;
  body: string;
  /** The account that opens it (created when new). */
  login: string;
  draft?: boolean;
  labels?: string[];
}

const SEED_DATE = "2024-01-01T00:00:00Z";

/** Creates `fullName` with one commit on `defaultBranch`; throws if it exists. */
export function seedRepo(world: StandInState, fullName: string, options: AddRepoOptions): void {
  if (world.repos.has(fullName.toLowerCase())) throw new Error(`Repository "${fullName}" already exists`);
  const repo = world.createRepo(fullName, options.defaultBranch);
  repo.allowDrafts = options.allowDrafts ?? true;
  const flat = new Map<string, PathEntry>();
  for (const [path, bytes] of options.files) {
    flat.set(path, {
      mode: (options.modes?.get(path) ?? "100644") as GitMode,
      type: "blob",
      sha: repo.store.writeBlob(bytes),
    });
  }
  for (const [path, sha] of options.gitlinks ?? []) {
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`Gitlink "${path}" needs a 40-hex commit id`);
    flat.set(path, { mode: "160000", type: "commit", sha });
  }
  const who = { name: "Scenario Author", email: "author@example.com", date: SEED_DATE };
  const sha = repo.store.writeCommit({
    tree: buildTree(repo.store, flat),
    parents: [],
    author: who,
    committer: who,
    message: "Initial commit",
  });
  repo.refs.set(`refs/heads/${options.defaultBranch}`, sha);
}

/** `12` (same repository) or `"acme/other#3"` as a reference. */
function issueRef(repo: StoredRepo, entry: number | string): IssueRef {
  if (typeof entry === "number") return { fullName: `${repo.owner}/${repo.name}`, number: entry };
  const match = /^([^/\s#]+\/[^/\s#]+)#(\d+)$/.exec(entry);
  if (!match) throw new Error(`Sub-issue "${entry}" is neither a number nor "owner/name#N"`);
  return { fullName: match[1]!, number: Number(match[2]) };
}

/** Adds (or replaces) an issue of `repo`. */
export function seedIssue(world: StandInState, repo: StoredRepo, issue: ScenarioIssue): void {
  repo.issues.set(issue.number, {
    id: world.nextId(),
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state ?? "open",
    labels: [],
    subIssues: (issue.subIssues ?? []).map((entry) => issueRef(repo, entry)),
    createdAt: SEED_DATE,
  });
}

/**
 * Pushes a commit by a person on `branch` (created from the default branch's head when missing),
 * authored with the account's noreply email so GitHub links it to the login. Returns its id.
 */
export function commitAs(
  world: StandInState,
  repo: StoredRepo,
  branch: string,
  commit: PersonCommit,
): string {
  const ref = `refs/heads/${branch}`;
  const parent = repo.refs.get(ref) ?? repo.refs.get(`refs/heads/${repo.defaultBranch}`);
  const parentCommit = parent ? repo.store.commit(parent) : undefined;
  if (!parent || !parentCommit) throw new Error(`${repo.owner}/${repo.name} has no commit to build on`);
  const flat = flattenTree(repo.store, parentCommit.tree);
  for (const [path, bytes] of commit.files) {
    if (bytes === null) flat.delete(path);
    else {flat.set(path, {
        mode: flat.get(path)?.mode ?? "100644",
        type: "blob",
        sha: repo.store.writeBlob(bytes),
      });}
  }
  const account = world.account(commit.author.login, commit.author.name);
  const who = { name: commit.author.name ?? account.name, email: account.email, date: isoNow() };
  const sha = repo.store.writeCommit({
    tree: buildTree(repo.store, flat),
    parents: [parent],
    author: who,
    committer: who,
    message: commit.message,
  });
  repo.refs.set(ref, sha);
  return sha;
}

/** Opens a pull request as a person (no checks but that both branches exist). Returns its number. */
export function pullAs(world: StandInState, repo: StoredRepo, pull: PersonPull): number {
  for (const branch of [pull.head, pull.base]) {
    if (!repo.refs.has(`refs/heads/${branch}`)) {
      throw new Error(`${repo.owner}/${repo.name} has no branch "${branch}"`);
    }
  }
  const labels = (pull.labels ?? []).map((name) => ensureLabel(repo, name, () => world.nextId()).name);
  const now = isoNow();
  const number = nextIssueNumber(repo);
  repo.pulls.push({
    id: world.nextId(),
    number,
    title: pull.title,
    body: pull.body,
    head: pull.head,
    headRepo: repo,
    base: pull.base,
    draft: pull.draft ?? false,
    state: "open",
    author: world.account(pull.login),
    labels,
    createdAt: now,
    updatedAt: now,
  });
  return number;
}
