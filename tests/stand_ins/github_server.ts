/**
 * A GitHub REST stand-in: an HTTP server on 127.0.0.1 (ephemeral port) with
 * in-memory repositories, speaking api.github.com's wire format for exactly the
 * routes the service uses. Object ids are real git SHA-1s. Tests point the real
 * Octokit client at `url` (the same setting GitHub Enterprise Server users need).
 *
 * Routes: repo, issue, sub-issues, labels, branch, commit, `git/ref/heads/…`,
 * tarball (302 to a codeload URL on the same server; `.gitattributes` honoured),
 * Git Data (blobs, trees, commits, refs), pulls (also from a fork in the repository's network, which
 * shares its objects, as GitHub's forks do), the collaborator permission, issue comments (create, edit,
 * list). `POST /graphql` answers the Projects v2 operations, each validated against GitHub's published
 * schema (`github/graphql.ts`). It also sends the App's
 * webhook deliveries, signed with its secret, to the URL a test sets (`webhook_sender.ts`).
 */
import { join } from "node:path";
import type { Scenario, ScenarioIssue } from "../../examples/scenario.ts";
import { codeload } from "./github/codeload.ts";
import { gitRoutes } from "./github/git_routes.ts";
import { issueRoutes } from "./github/issue_routes.ts";
import { commentRoutes, commentsOf, type StoredComment } from "./github/issue_comments.ts";
import { graphqlRoute, projects, type StandInProject } from "./github/graphql.ts";
import { pullRoutes } from "./github/pull_routes.ts";
import {
  addReviewComment,
  type PersonReviewComment,
  reviewCommentsOfPull,
  type StoredReviewComment,
} from "./github/review_comments.ts";
import { repoRoutes } from "./github/repo_routes.ts";
import { errorResponse, injectedFailure, notFound } from "./github/responses.ts";
import { matchRoute, type Route } from "./github/router.ts";
import { readFolder } from "./github/read_folder.ts";
import { appRoute, type IssuedToken, type StandInApp, tokenReaches } from "./github/app_auth.ts";
import {
  type AddRepoOptions,
  commitAs,
  type PersonCommit,
  type PersonPull,
  pullAs,
  seedIssue,
  seedRepo,
} from "./github/seeding.ts";
import { StandInState, type StoredPull } from "./github/state.ts";
import { flattenTree } from "./github/tree_paths.ts";
import { grantRole, type StandInRole } from "./github/collaborator_routes.ts";
import {
  type DeliveryOptions,
  issueCommentPayload,
  issuesPayload,
  reviewCommentPayload,
  sendDelivery,
  type SentDelivery,
} from "./github/webhook_sender.ts";
import { ensureLabel } from "./github/wire_label.ts";

export type { DeliveryOptions, SentDelivery, StandInRole };

export type { AddRepoOptions, PersonCommit, PersonPull, StandInProject, StoredComment };
export type { PersonReviewComment, StoredReviewComment };

/** One request the stand-in received; `headers` never include `authorization`. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/repos/acme/tasks/pulls?state=open`. */
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** A pull request as tests inspect it. */
export type StandInPull =
  & Pick<StoredPull, "number" | "title" | "body" | "head" | "base" | "draft" | "state" | "labels">
  & {
    html_url: string;
    /** Login of the account that opened it. */
    author: string;
    /** `owner/name` of the repository `head` is a branch of: this one, or a fork. */
    headRepo: string;
  };

/** A branch's head commit as tests inspect it. */
export interface StandInBranchHead {
  sha: string;
  message: string;
  /** The name git recorded. */
  authorName: string;
  /** The account GitHub links the commit to (by email), if any. */
  authorLogin?: string;
}

/** A running stand-in. */
export interface GitHubStandIn {
  /** Base URL for Octokit's `baseUrl`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The only token accepted. */
  token: string;
  /** Stops the server; idempotent. */
  close(): Promise<void>;
  /** Creates `owner/name` with one commit on `defaultBranch` (gitlinks included); throws if it exists. */
  addRepo(fullName: string, options: AddRepoOptions): void;
  /** Makes `fullName` read-only for the token: `permissions.push` false, Git Data writes refused 403. */
  denyPush(fullName: string): void;
  /**
   * Forks `parentFullName` as `forkFullName` (as `POST /repos/{owner}/{repo}/forks` would): the fork shares
   * the parent's objects and starts with its branches; pull requests can go from it to the parent.
   */
  addFork(parentFullName: string, forkFullName: string): void;
  /**
   * Adds (or replaces) an issue, open unless `state` says closed; `subIssues` are numbers in the
   * same repo or `"owner/name#N"` in another.
   */
  addIssue(fullName: string, issue: ScenarioIssue): void;
  /** Pushes a commit by a person (not the token's account) on `branch`; returns its id. */
  pushCommitAs(fullName: string, branch: string, commit: PersonCommit): string;
  /** Opens a pull request as a person; returns its number. */
  openPullRequestAs(fullName: string, pull: PersonPull): number;
  /** The head commit of `branch` with its author, or undefined when the branch does not exist. */
  branchHead(fullName: string, branch: string): StandInBranchHead | undefined;
  /** The files of `branch`'s head commit (path → bytes), or undefined when the branch does not exist. */
  branchFiles(fullName: string, branch: string): Map<string, Uint8Array> | undefined;
  /** The files' git modes of `branch`'s head commit, or undefined when the branch does not exist. */
  branchModes(fullName: string, branch: string): Map<string, string> | undefined;
  /** The head commit sha of `branch`, if it exists. */
  branchSha(fullName: string, branch: string): string | undefined;
  /** Pull requests of the repo, in creation order. */
  pulls(fullName: string): StandInPull[];
  /**
   * Adds a Projects v2 board (GraphQL `POST /graphql`) with a `Status` field of `statuses` (none: no
   * such field) holding `items` (`owner/name#N` → status); `editable: false` refuses edits as for a
   * token without project permission.
   */
  addProject(
    project: { title: string; statuses: string[]; editable?: boolean; items: Record<string, string> },
  ): void;
  /** The `Status` of issue `owner/name#N` on project `title` (undefined: not there, or no status). */
  projectStatus(title: string, issue: string): string | undefined;
  /** Every `Status` issue `owner/name#N` was given on project `title` through the API, in order. */
  projectMoves(title: string, issue: string): string[];
  /** The comments on issue or pull request `number` of the repo, in creation order, every version kept. */
  issueComments(fullName: string, number: number): StoredComment[];
  /** Adds a person's review comment on pull request `pull`'s diff; returns its id. */
  addReviewComment(fullName: string, pull: number, comment: PersonReviewComment): number;
  /** The review comments of pull request `pull` (replies included), in creation order. */
  reviewComments(fullName: string, pull: number): StoredReviewComment[];
  /** Closes pull request `pull` (as a person would, without merging). */
  closePull(fullName: string, pull: number): void;
  /** Installation tokens issued to the GitHub App (when one is configured), in order. */
  installationTokens(): IssuedToken[];
  /** Every request received, in order (failed and unauthorised ones included). */
  requests: RecordedRequest[];
  /** Makes the next `count` (default 1) requests matching `method` and `pathPrefix` fail with `status`. */
  failNext(method: string, pathPrefix: string, status: number, count?: number): void;
  /**
   * Handles the next request matching `method` and `pathPrefix` (what it does is done) but never
   * answers it, as a GitHub reply lost with the connection; resolves once that request was handled.
   * The held reply ends (503) when the stand-in closes.
   */
  holdNextReply(method: string, pathPrefix: string): Promise<void>;
  /** The App's webhook secret: every delivery is signed with it. */
  webhookSecret: string;
  /** Where deliveries go (the App's webhook URL); none are sent before it is set. */
  setWebhookUrl(url: string): void;
  /** Every delivery sent, in order, with the receiver's answer. */
  deliveries: SentDelivery[];
  /** Gives `login` the role `role` on the repository (collaborator permission API). */
  grantRole(fullName: string, login: string, role: StandInRole): void;
  /** `login` adds label `label` to issue `number` (created if missing): delivers `issues.labeled`. */
  labelIssueAs(fullName: string, number: number, label: string, login: string): Promise<SentDelivery>;
  /** `login` assigns issue `number` to `assignee`: delivers `issues.assigned`. */
  assignIssueAs(fullName: string, number: number, assignee: string, login: string): Promise<SentDelivery>;
  /** `login` comments `body` on issue `number`: delivers `issue_comment.created`. */
  commentOnIssueAs(fullName: string, number: number, body: string, login: string): Promise<SentDelivery>;
  /** `login` closes issue `number`: delivers `issues.closed`. */
  closeIssueAs(fullName: string, number: number, login: string): Promise<SentDelivery>;
  /**
   * A person comments on a line of pull request `pull`'s diff (as {@link addReviewComment}): delivers
   * `pull_request_review_comment.created`; resolves with the comment's id and the delivery.
   */
  reviewCommentAs(
    fullName: string,
    pull: number,
    comment: PersonReviewComment,
  ): Promise<{ id: number; delivery: SentDelivery }>;
  /** Sends any delivery (a forged signature, an event the service does not know). */
  deliver(event: string, payload: unknown, options?: DeliveryOptions): Promise<SentDelivery>;
  /** Sends delivery `id` again, as GitHub's "Redeliver" does: the same id, event and body. */
  redeliver(id: string): Promise<SentDelivery>;
}

const SKIPPED = new Set([".git", "__pycache__", ".pytest_cache"]);
const ROUTES: Route[] = [...repoRoutes, ...issueRoutes, ...commentRoutes, ...gitRoutes, ...pullRoutes];

async function readBody(request: Request): Promise<{ body: unknown; malformed: boolean }> {
  const text = await request.text();
  if (text === "") return { body: undefined, malformed: false };
  try {
    return { body: JSON.parse(text), malformed: false };
  } catch {
    return { body: text, malformed: true };
  }
}

function authorised(header: string | null, token: string): "ok" | "missing" | "bad" {
  if (header === null) return "missing";
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
  return match?.[1] === token ? "ok" : "bad";
}

/**
 * Starts the stand-in on 127.0.0.1 with an ephemeral port.
 * @param options.token the accepted token; default a random `ghs_…` value.
 * @param options.treeEntryLimit entries one recursive tree listing returns before it is `truncated`;
 *   default GitHub's 100,000.
 * Needs `--allow-net` (listen on loopback).
 */
export function startGitHubStandIn(
  options: { token?: string; app?: StandInApp; treeEntryLimit?: number } = {},
): Promise<GitHubStandIn> {
  const token = options.token ?? `ghs_${crypto.randomUUID().replaceAll("-", "")}`;
  const issued = new Map<string, IssuedToken>();
  const requests: RecordedRequest[] = [];
  const failures: Array<{ method: string; prefix: string; status: number; left: number }> = [];
  const world = new StandInState();
  if (options.treeEntryLimit !== undefined) world.treeEntryLimit = options.treeEntryLimit;

  const holds: Array<{ method: string; prefix: string; handled: () => void }> = [];
  let releaseHeld!: () => void;
  const closed = new Promise<void>((resolve) => releaseHeld = resolve);
  const handle = async (request: Request): Promise<Response> => {
    const response = await answer(request);
    const url = new URL(request.url);
    const hold = holds.findIndex((rule) =>
      rule.method === request.method && url.pathname.startsWith(rule.prefix)
    );
    if (hold < 0) return response;
    const [rule] = holds.splice(hold, 1);
    rule!.handled();
    await closed;
    return errorResponse(503, "Service Unavailable");
  };
  const answer = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const { body, malformed } = await readBody(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) {
      if (!["authorization", "proxy-authorization", "cookie"].includes(name)) headers[name] = value;
    }
    requests.push({ method: request.method, path: url.pathname + url.search, headers, body });
    const failure = failures.find((rule) =>
      rule.left > 0 && rule.method === request.method && url.pathname.startsWith(rule.prefix)
    );
    if (failure) {
      failure.left--;
      return injectedFailure(failure.status);
    }
    const download = codeload(world, url);
    if (download) return download;
    const app = await appRoute(request, url, body, {
      state: world,
      ...(options.app ? { app: options.app } : {}),
      issued,
    });
    if (app) return app;
    const presented = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.get("authorization")?.trim() ?? "")
      ?.[1];
    const installation = presented === undefined ? undefined : issued.get(presented);
    const auth = installation && !installation.revoked
      ? "ok"
      : authorised(request.headers.get("authorization"), token);
    if (auth !== "ok") {
      return errorResponse(401, auth === "missing" ? "Requires authentication" : "Bad credentials");
    }
    if (malformed) return errorResponse(400, "Problems parsing JSON");
    if (request.method === "POST" && url.pathname === "/graphql") return await graphqlRoute(world, body);
    const scoped = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!scoped) return notFound();
    const repo = world.repo(decodeURIComponent(scoped[1] ?? ""), decodeURIComponent(scoped[2] ?? ""));
    if (repo && !tokenReaches(installation, `${repo.owner}/${repo.name}`)) return notFound();
    const match = repo && matchRoute(ROUTES, request.method, scoped[3] ?? "");
    if (!repo || !match) return notFound();
    try {
      return await match.route.handle({
        state: world,
        repo,
        params: match.params,
        query: url.searchParams,
        body,
      });
    } catch (error) {
      console.error("GitHub stand-in route failed", error);
      return errorResponse(500, "Server Error");
    }
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handle);
  const url = `http://127.0.0.1:${server.addr.port}`;
  world.baseUrl = url;
  let closing: Promise<void> | undefined;

  const webhookSecret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
  let webhookUrl: string | undefined;
  const deliveries: SentDelivery[] = [];
  const send = async (event: string, payload: unknown, options: DeliveryOptions = {}) => {
    if (webhookUrl === undefined) throw new Error("GitHub stand-in has no webhook URL: call setWebhookUrl");
    const sent = await sendDelivery({ url: webhookUrl, secret: webhookSecret }, event, payload, options);
    deliveries.push(sent);
    return sent;
  };
  const repoOf = (fullName: string) => {
    const [owner = "", name = ""] = fullName.split("/");
    const repo = world.repo(owner, name);
    if (!repo) throw new Error(`GitHub stand-in has no repository "${fullName}"`);
    return repo;
  };
  const issueOf = (fullName: string, number: number) => {
    const repo = repoOf(fullName);
    const issue = repo.issues.get(number);
    if (!issue) throw new Error(`GitHub stand-in has no issue ${fullName}#${number}`);
    return { repo, issue };
  };
  const headTree = (fullName: string, branch: string) => {
    const repo = repoOf(fullName);
    const sha = repo.refs.get(`refs/heads/${branch}`);
    const commit = sha === undefined ? undefined : repo.store.commit(sha);
    return commit && { repo, flat: flattenTree(repo.store, commit.tree) };
  };

  return Promise.resolve({
    url,
    token,
    requests,
    installationTokens: () => [...issued.values()].map((t) => ({ ...t })),
    close() {
      releaseHeld();
      closing ??= server.shutdown();
      return closing;
    },
    addRepo(fullName, repoOptions) {
      seedRepo(world, fullName, repoOptions);
    },
    denyPush(fullName) {
      repoOf(fullName).readOnly = true;
    },
    addFork(parentFullName, forkFullName) {
      world.forkRepo(repoOf(parentFullName), forkFullName);
    },
    addIssue(fullName, issue) {
      seedIssue(world, repoOf(fullName), issue);
    },
    pushCommitAs(fullName, branch, commit) {
      return commitAs(world, repoOf(fullName), branch, commit);
    },
    openPullRequestAs(fullName, pull) {
      return pullAs(world, repoOf(fullName), pull);
    },
    branchHead(fullName, branch) {
      const sha = repoOf(fullName).refs.get(`refs/heads/${branch}`);
      const commit = sha === undefined ? undefined : repoOf(fullName).store.commit(sha);
      if (!sha || !commit) return undefined;
      const login = world.accountByEmail(commit.author.email)?.login;
      return {
        sha,
        message: commit.message,
        authorName: commit.author.name,
        ...(login ? { authorLogin: login } : {}),
      };
    },
    branchFiles(fullName, branch) {
      const head = headTree(fullName, branch);
      if (!head) return undefined;
      const files = new Map<string, Uint8Array>();
      for (const [path, entry] of head.flat) {
        const bytes = head.repo.store.blob(entry.sha);
        if (bytes) files.set(path, bytes);
      }
      return files;
    },
    branchModes(fullName, branch) {
      const head = headTree(fullName, branch);
      return head && new Map([...head.flat].map(([path, entry]) => [path, entry.mode]));
    },
    branchSha(fullName, branch) {
      return repoOf(fullName).refs.get(`refs/heads/${branch}`);
    },
    pulls(fullName) {
      const repo = repoOf(fullName);
      return repo.pulls.map((pull) => ({
        number: pull.number,
        title: pull.title,
        body: pull.body,
        head: pull.head,
        base: pull.base,
        draft: pull.draft,
        state: pull.state,
        labels: [...pull.labels],
        author: pull.author.login,
        html_url: `${url}/${repo.owner}/${repo.name}/pull/${pull.number}`,
        headRepo: `${pull.headRepo.owner}/${pull.headRepo.name}`,
      }));
    },
    addProject(project) {
      projects(world).push({
        id: `PVT_${world.nextId()}`,
        title: project.title,
        statuses: project.statuses,
        editable: project.editable ?? true,
        items: new Map(Object.entries(project.items)),
        moves: [],
      });
    },
    projectMoves(title, issue) {
      const project = projects(world).find((p) => p.title === title);
      return (project?.moves ?? []).filter((m) => m.issue === issue).map((m) => m.status);
    },
    projectStatus(title, issue) {
      return projects(world).find((p) => p.title === title)?.items.get(issue);
    },
    issueComments(fullName, number) {
      const repo = repoOf(fullName);
      return [...(commentsOf.get(world)?.values() ?? [])].filter((c) =>
        c.repo === `${repo.owner}/${repo.name}` && c.issue === number
      );
    },
    addReviewComment(fullName, pull, comment) {
      const repo = repoOf(fullName);
      const stored = repo.pulls.find((p) => p.number === pull);
      if (!stored) throw new Error(`GitHub stand-in has no pull request ${fullName}#${pull}`);
      return addReviewComment(world, repo, stored, comment);
    },
    reviewComments(fullName, pull) {
      return reviewCommentsOfPull(world, repoOf(fullName), pull);
    },
    closePull(fullName, pull) {
      const stored = repoOf(fullName).pulls.find((p) => p.number === pull);
      if (!stored) throw new Error(`GitHub stand-in has no pull request ${fullName}#${pull}`);
      stored.state = "closed";
    },
    holdNextReply(method, pathPrefix) {
      return new Promise<void>((handled) =>
        holds.push({ method: method.toUpperCase(), prefix: pathPrefix, handled })
      );
    },
    failNext(method, pathPrefix, status, count = 1) {
      failures.push({ method: method.toUpperCase(), prefix: pathPrefix, status, left: count });
    },
    webhookSecret,
    setWebhookUrl(target) {
      webhookUrl = target;
    },
    deliveries,
    grantRole(fullName, login, role) {
      grantRole(world, repoOf(fullName), login, role);
    },
    labelIssueAs(fullName, number, label, login) {
      const { repo, issue } = issueOf(fullName, number);
      const stored = ensureLabel(repo, label, () => world.nextId());
      if (!issue.labels.some((name) => name.toLowerCase() === stored.name.toLowerCase())) {
        issue.labels.push(stored.name);
      }
      return send("issues", issuesPayload(world, repo, issue, "labeled", login, { label: stored.name }));
    },
    assignIssueAs(fullName, number, assignee, login) {
      const { repo, issue } = issueOf(fullName, number);
      return send("issues", issuesPayload(world, repo, issue, "assigned", login, { assignee }));
    },
    commentOnIssueAs(fullName, number, body, login) {
      const { repo, issue } = issueOf(fullName, number);
      return send("issue_comment", issueCommentPayload(world, repo, issue, body, login));
    },
    async reviewCommentAs(fullName, pull, comment) {
      const repo = repoOf(fullName);
      const stored = repo.pulls.find((p) => p.number === pull);
      if (!stored) throw new Error(`GitHub stand-in has no pull request ${fullName}#${pull}`);
      const id = addReviewComment(world, repo, stored, comment);
      const saved = reviewCommentsOfPull(world, repo, pull).find((c) => c.id === id)!;
      const delivery = await send(
        "pull_request_review_comment",
        reviewCommentPayload(world, repo, stored, saved),
      );
      return { id, delivery };
    },
    closeIssueAs(fullName, number, login) {
      const { repo, issue } = issueOf(fullName, number);
      issue.state = "closed";
      return send("issues", issuesPayload(world, repo, issue, "closed", login));
    },
    deliver: send,
    redeliver(id) {
      const earlier = deliveries.find((delivery) => delivery.id === id);
      if (!earlier) throw new Error(`GitHub stand-in sent no delivery "${id}"`);
      return send(earlier.event, JSON.parse(earlier.body), { id });
    },
  });
}

/**
 * Seeds a scenario's repository (files of `scenario.repo.dir` under `projectRoot`, skipping `.git`,
 * `__pycache__` and `.pytest_cache`, keeping executable bits) and its issues.
 * Needs `--allow-read` on that folder.
 */
export async function seedFromScenario(
  standIn: GitHubStandIn,
  scenario: Scenario,
  projectRoot: string,
): Promise<void> {
  const files = new Map<string, Uint8Array>();
  const modes = new Map<string, "100644" | "100755" | "120000">();
  await readFolder(join(projectRoot, scenario.repo.dir), { files, modes, skip: SKIPPED });
  standIn.addRepo(scenario.repo.fullName, { defaultBranch: scenario.repo.defaultBranch, files, modes });
  for (const issue of scenario.issues) standIn.addIssue(scenario.repo.fullName, issue);
}
