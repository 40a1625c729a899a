/**
 * The stand-in's in-memory world: repositories with their object store,
 * refs, issues and pull requests.
 */
import { ObjectStore } from "./git_objects.ts";

/** An issue as stored. */
export interface StoredIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  subIssues: number[];
  createdAt: string;
}

/** A pull request as stored; `head` and `base` are branch names in the same repo. */
export interface StoredPull {
  id: number;
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
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
  store: ObjectStore;
  /** `refs/heads/main` → commit sha. */
  refs: Map<string, string>;
  issues: Map<number, StoredIssue>;
  pulls: StoredPull[];
}

/** The account the configured token belongs to. */
export interface TokenUser {
  login: string;
  id: number;
  type: "User" | "Bot";
  name: string;
  email: string;
}

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
  #nextId = 100_000;

  /** The server's own URL, set once it listens; every URL in a response starts with it. */
  baseUrl = "";

  /** A fresh numeric database id. */
  nextId(): number {
    return this.#nextId++;
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
      store: new ObjectStore(),
      refs: new Map(),
      issues: new Map(),
      pulls: [],
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }
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
