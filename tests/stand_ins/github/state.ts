/**
 * The stand-in's in-memory world: repositories with their object store,
 * refs, issues and pull requests.
 */
import { ObjectStore } from "./git_objects.ts";

/** An issue of some repository: `fullName` is `owner/name` as the repo was created. */
export interface IssueRef {
  fullName: string;
  number: number;
}

/** An issue as stored. */
export interface StoredIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  /** Label names, in the order they were added. */
  labels: string[];
  /** Sub-issues, in order; they may live in other repositories. */
  subIssues: IssueRef[];
  createdAt: string;
}

/** A label of a repository. */
export interface StoredLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

/**
 * A pull request as stored: `base` is a branch of the repository it is opened in, `head` a branch of
 * `headRepo` (that repository, or a fork in its network).
 */
export interface StoredPull {
  id: number;
  number: number;
  title: string;
  body: string;
  head: string;
  headRepo: StoredRepo;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  /** The account that opened it. */
  author: Account;
  /** Label names, in the order they were added. */
  labels: string[];
  createdAt: string;
  updatedAt: string;
}

/** One repository. */
export interface StoredRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  allowDrafts: boolean;
  createdAt: string;
  /** The repository this one is a fork of, if it is one. */
  parent?: StoredRepo;
  /** How many forks were made of this repository. */
  forkCount: number;
  /** The token may read but not push (`permissions.push` false; Git Data writes are refused 403). */
  readOnly: boolean;
  /** The object store of the repository's network: a fork shares its parent's, as on GitHub. */
  store: ObjectStore;
  /** `refs/heads/main` → commit sha. */
  refs: Map<string, string>;
  issues: Map<number, StoredIssue>;
  pulls: StoredPull[];
  /** Lower-case name → label. */
  labels: Map<string, StoredLabel>;
}

/** A GitHub account: the token's own, or a person a test seeds. */
export interface Account {
  login: string;
  id: number;
  type: "User" | "Bot";
  name: string;
  /** The address GitHub links commits to the account by (its `noreply` one). */
  email: string;
}

/** The account the configured token belongs to. */
export type TokenUser = Account;

/** Everything the routes read and write. */
export class StandInState {
  readonly repos = new Map<string, StoredRepo>();
  /** One-time codeload tokens issued by tarball redirects → what they unlock. */
  readonly codeloadTokens = new Map<string, { repo: StoredRepo; sha: string }>();
  readonly user: TokenUser = {
    login: "agent-runner[bot]",
    id: 9_000_001,
    type: "Bot",
    name: "agent-runner[bot]",
    email: "9000001+agent-runner[bot]@users.noreply.github.com",
  };
  /** Lower-case login → account; commits whose author email is an account's are linked to it. */
  readonly accounts = new Map<string, Account>([[this.user.login.toLowerCase(), this.user]]);
  /** Most entries one recursive tree listing returns before it says `truncated` (GitHub: 100,000). */
  treeEntryLimit = 100_000;
  #nextId = 100_000;

  /** The server's own URL, set once it listens; every URL in a response starts with it. */
  baseUrl = "";

  /** A fresh numeric database id. */
  nextId(): number {
    return this.#nextId++;
  }

  /** The account `login`, created (a `User`) when it does not exist yet. */
  account(login: string, name = login): Account {
    const known = this.accounts.get(login.toLowerCase());
    if (known) return known;
    const id = this.nextId();
    const account: Account = {
      login,
      id,
      type: "User",
      name,
      email: `${id}+${login}@users.noreply.github.com`,
    };
    this.accounts.set(login.toLowerCase(), account);
    return account;
  }

  /** The account a commit author's `email` belongs to, if any. */
  accountByEmail(email: string): Account | undefined {
    return [...this.accounts.values()].find((account) => account.email.toLowerCase() === email.toLowerCase());
  }

  /** The issue `ref` points at, with its repository, if both exist. */
  issue(ref: IssueRef): { repo: StoredRepo; issue: StoredIssue } | undefined {
    const repo = this.repos.get(ref.fullName.toLowerCase());
    const issue = repo?.issues.get(ref.number);
    return repo && issue ? { repo, issue } : undefined;
  }

  /** The issue whose sub-issues include `number` of `repo`, with its repository, if any. */
  parentOf(repo: StoredRepo, number: number): { repo: StoredRepo; issue: StoredIssue } | undefined {
    const fullName = `${repo.owner}/${repo.name}`.toLowerCase();
    for (const candidate of this.repos.values()) {
      for (const issue of candidate.issues.values()) {
        if (issue.subIssues.some((ref) => ref.fullName.toLowerCase() === fullName && ref.number === number)) {
          return { repo: candidate, issue };
        }
      }
    }
    return undefined;
  }

  /** The repo for `owner/name` (case-insensitive, like GitHub), if any. */
  repo(owner: string, name: string): StoredRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** Adds an empty repository. */
  createRepo(fullName: string, defaultBranch: string): StoredRepo {
    const [owner, name, extra] = fullName.split("/");
    if (!owner || !name || extra !== undefined) {
      throw new Error(`Repository name must be owner/name, got "${fullName}"`);
    }
    const repo: StoredRepo = {
      id: this.nextId(),
      owner,
      name,
      defaultBranch,
      allowDrafts: true,
      createdAt: isoNow(),
      forkCount: 0,
      readOnly: false,
      store: new ObjectStore(),
      refs: new Map(),
      issues: new Map(),
      pulls: [],
      labels: new Map(),
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  /**
   * Forks `parent` as `fullName`, as `POST /repos/{owner}/{repo}/forks` does: a repository of its own
   * (refs, issues, pull requests, labels) that shares the parent's objects and starts with its branches.
   */
  forkRepo(parent: StoredRepo, fullName: string): StoredRepo {
    if (this.repos.has(fullName.toLowerCase())) throw new Error(`Repository "${fullName}" exists`);
    const fork = this.createRepo(fullName, parent.defaultBranch);
    fork.parent = parent;
    fork.store = parent.store;
    parent.forkCount++;
    for (const [ref, sha] of parent.refs) if (ref.startsWith("refs/heads/")) fork.refs.set(ref, sha);
    return fork;
  }
}

/** The root of `repo`'s fork network: the repository every fork in it descends from. */
export function networkRoot(repo: StoredRepo): StoredRepo {
  let root = repo;
  while (root.parent) root = root.parent;
  return root;
}

/** Whether `a` and `b` are in one fork network (a pull request can go from either to the other). */
export function sameNetwork(a: StoredRepo, b: StoredRepo): boolean {
  return networkRoot(a) === networkRoot(b);
}

/** Issues and pull requests share one number sequence per repo. */
export function nextIssueNumber(repo: StoredRepo): number {
  const numbers = [...repo.issues.keys(), ...repo.pulls.map((pull) => pull.number)];
  return Math.max(0, ...numbers) + 1;
}

/** Now as GitHub writes timestamps: ISO 8601 without milliseconds. */
export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
