/**
 * The Git Data API: blobs (create, read), trees (create with `base_tree`,
 * `content` and `sha: null` deletions; read, recursively too), commits and
 * refs, validated the way GitHub answers (422s).
 */
import { Buffer } from "node:buffer";
import type { GitMode, Signature } from "./git_objects.ts";
import type { Route, RouteContext } from "./router.ts";
import { field } from "./router.ts";
import { isoNow } from "./state.ts";
import { errorResponse, json, notFound, unprocessable } from "./responses.ts";
import { resolveCommitish } from "./repo_routes.ts";
import { buildTree, flattenTree, type PathEntry } from "./tree_paths.ts";
import { blobJson, gitCommit, gitRef, gitTree, shortBlob } from "./wire_git.ts";

const MODES: Record<string, PathEntry["type"] | "tree"> = {
  "100644": "blob",
  "100755": "blob",
  "120000": "blob",
  "160000": "commit",
  "040000": "tree",
};

const missing = (name: string) => unprocessable(`Invalid request.\n\n"${name}" wasn't supplied.`);

function createBlob({ state, repo, body }: RouteContext): Response {
  const content = field(body, "content");
  const encoding = field(body, "encoding") ?? "utf-8";
  if (typeof content !== "string") return missing("content");
  if (encoding !== "utf-8" && encoding !== "utf8" && encoding !== "base64") {
    return unprocessable(
      `Invalid request.\n\nFor 'properties/encoding', "${String(encoding)}" is not a valid encoding.`,
    );
  }
  const bytes = encoding === "base64"
    ? new Uint8Array(Buffer.from(content, "base64"))
    : new TextEncoder().encode(content);
  const blob = shortBlob(state.baseUrl, repo, repo.store.writeBlob(bytes));
  return json(201, blob, { location: blob.url });
}

/** A path git accepts in a tree: relative, no empty, `.`, `..` or `.git` component. */
function validPath(path: string): boolean {
  return path.split("/").every((part) => part !== "" && part !== "." && part !== ".." && part !== ".git");
}

function removeUnder(flat: Map<string, PathEntry>, path: string): void {
  for (const key of [...flat.keys()]) if (key === path || key.startsWith(`${path}/`)) flat.delete(key);
}

function createTree({ state, repo, body }: RouteContext): Response {
  const entries = field(body, "tree");
  const baseTree = field(body, "base_tree");
  if (!Array.isArray(entries)) return missing("tree");
  let flat = new Map<string, PathEntry>();
  if (baseTree !== undefined && baseTree !== null) {
    if (typeof baseTree !== "string" || !repo.store.tree(baseTree)) {
      return unprocessable('Invalid request.\n\n"base_tree" is not a valid tree.');
    }
    flat = flattenTree(repo.store, baseTree);
  }
  for (const entry of entries) {
    const path = field(entry, "path"), mode = field(entry, "mode"), type = field(entry, "type");
    const sha = field(entry, "sha"), content = field(entry, "content");
    if (typeof path !== "string" || !validPath(path)) {
      return unprocessable("tree.path contains a malformed path component");
    }
    const kind = typeof mode === "string" ? MODES[mode] : undefined;
    if (!kind || (type !== undefined && type !== kind)) return unprocessable("Invalid tree info");
    if ((sha !== undefined) === (content !== undefined)) {
      return unprocessable(
        "Must supply either tree.sha or tree.content. Request will be rejected if both are present.",
      );
    }
    removeUnder(flat, path);
    for (let cut = path.lastIndexOf("/"); cut > 0; cut = path.lastIndexOf("/", cut - 1)) {
      flat.delete(path.slice(0, cut));
    }
    if (sha === null) continue;
    if (typeof content === "string") {
      if (kind !== "blob") return unprocessable("Invalid tree info");
      const blobSha = repo.store.writeBlob(new TextEncoder().encode(content));
      flat.set(path, { mode: mode as GitMode, type: "blob", sha: blobSha });
    } else if (typeof sha === "string") {
      const object = repo.store.get(sha);
      if (kind === "tree" && object?.type === "tree") {
        for (const [inner, value] of flattenTree(repo.store, sha)) flat.set(`${path}/${inner}`, value);
      } else if (kind === "blob" && object?.type === "blob") {
        flat.set(path, { mode: mode as GitMode, type: "blob", sha: object.sha });
      } else if (kind === "commit" && /^[0-9a-f]{40}$/.test(sha)) {
        flat.set(path, { mode: "160000", type: "commit", sha });
      } else {
        return unprocessable("GitRPC::BadObjectState");
      }
    } else {
      return unprocessable("Invalid tree info");
    }
  }
  const tree = gitTree(state.baseUrl, repo, buildTree(repo.store, flat));
  return json(201, tree, { location: tree.url });
}

/**
 * `GET /git/trees/{tree_sha}`: a tree by its sha, or the root tree of a commit or ref. Any
 * `recursive` value lists every entry below it, up to the stand-in's `treeEntryLimit`
 * (GitHub: 100,000 entries or 7 MB), past which it answers the first ones with `truncated: true`.
 */
function getTree({ state, repo, params, query }: RouteContext): Response {
  const wanted = params[0] ?? "";
  const sha = repo.store.tree(wanted)
    ? wanted.toLowerCase()
    : repo.store.commit(resolveCommitish(repo, wanted)?.sha ?? "")?.tree;
  if (!sha) return notFound();
  return json(
    200,
    gitTree(state.baseUrl, repo, sha, {
      recursive: query.has("recursive"),
      limit: state.treeEntryLimit,
    }),
  );
}

function getBlob({ state, repo, params }: RouteContext): Response {
  const sha = (params[0] ?? "").toLowerCase();
  const bytes = repo.store.blob(sha);
  return bytes ? json(200, blobJson(state.baseUrl, repo, sha, bytes)) : notFound();
}

function signature(value: unknown, fallback: Signature): Signature | undefined {
  if (value === undefined) return fallback;
  const name = field(value, "name"),
    email = field(value, "email"),
    date = field(value, "date") ?? fallback.date;
  if (typeof name !== "string" || typeof email !== "string" || typeof date !== "string") return undefined;
  if (Number.isNaN(Date.parse(date))) return undefined;
  return { name, email, date: new Date(date).toISOString().replace(/\.\d{3}Z$/, "Z") };
}

function createCommit({ state, repo, body }: RouteContext): Response {
  const message = field(body, "message"), tree = field(body, "tree"), parents = field(body, "parents") ?? [];
  if (typeof message !== "string") return missing("message");
  if (typeof tree !== "string") return missing("tree");
  if (!repo.store.tree(tree)) return unprocessable("Tree SHA does not exist");
  if (
    !Array.isArray(parents) ||
    parents.some((parent) => typeof parent !== "string" || !repo.store.commit(parent))
  ) {
    return unprocessable("Parent SHA does not exist or is not a commit object");
  }
  const self = { name: state.user.name, email: state.user.email, date: isoNow() };
  const author = signature(field(body, "author"), self);
  const committer = author && signature(field(body, "committer"), author);
  if (!author || !committer) return unprocessable("Invalid request.\n\nInvalid author or committer.");
  const sha = repo.store.writeCommit({
    tree,
    parents: (parents as string[]).map((parent) => parent.toLowerCase()),
    author,
    committer,
    message,
  });
  const commit = gitCommit(state.baseUrl, repo, sha);
  return json(201, commit, { location: commit?.url ?? "" });
}

/** What `git check-ref-format` accepts, roughly. */
function validRefName(ref: string): boolean {
  // deno-lint-ignore no-control-regex
  return /^refs\/[^/]+\/.+$/.test(ref) && !/(\.\.|\/\/|@\{|[\s~^:?*[\\\x00-\x1f\x7f])/.test(ref) &&
    !/(\/|\.|\.lock)$/.test(ref) && !ref.split("/").some((part) => part.startsWith("."));
}

function createRef({ state, repo, body }: RouteContext): Response {
  const ref = field(body, "ref"), sha = field(body, "sha");
  if (typeof ref !== "string") return missing("ref");
  if (typeof sha !== "string") return missing("sha");
  if (!validRefName(ref)) return unprocessable(`${ref} is not a valid ref name.`);
  if (!repo.store.commit(sha)) return unprocessable("Object does not exist");
  if (repo.refs.has(ref)) return unprocessable("Reference already exists");
  repo.refs.set(ref, sha.toLowerCase());
  const created = gitRef(state.baseUrl, repo, ref, sha.toLowerCase());
  return json(201, created, { location: created.url });
}

function updateRef({ state, repo, body, params }: RouteContext): Response {
  const ref = `refs/${params[0]}`, sha = field(body, "sha"), force = field(body, "force") === true;
  if (typeof sha !== "string") return missing("sha");
  const current = repo.refs.get(ref);
  if (current === undefined) return unprocessable("Reference does not exist");
  if (!repo.store.commit(sha)) return unprocessable("Object does not exist");
  if (!force && !repo.store.isAncestor(current, sha.toLowerCase())) {
    return unprocessable("Update is not a fast forward");
  }
  repo.refs.set(ref, sha.toLowerCase());
  return json(200, gitRef(state.baseUrl, repo, ref, sha.toLowerCase()));
}

/** GitHub's answer to a write the token may not make (a read-only installation or token). */
function readOnly(handle: Route["handle"]): Route["handle"] {
  return (context) =>
    context.repo.readOnly ? errorResponse(403, "Resource not accessible by integration") : handle(context);
}

/** The Git Data routes; the writes are refused on a repository the token may only read. */
export const gitRoutes: Route[] = [
  { method: "POST", pattern: /^\/git\/blobs$/, handle: readOnly(createBlob) },
  { method: "GET", pattern: /^\/git\/blobs\/([0-9a-fA-F]{40})$/, handle: getBlob },
  { method: "GET", pattern: /^\/git\/trees\/(.+)$/, handle: getTree },
  { method: "POST", pattern: /^\/git\/trees$/, handle: readOnly(createTree) },
  { method: "POST", pattern: /^\/git\/commits$/, handle: readOnly(createCommit) },
  {
    method: "GET",
    pattern: /^\/git\/commits\/([0-9a-fA-F]{40})$/,
    handle: ({ state, repo, params }) => {
      const commit = gitCommit(state.baseUrl, repo, params[0] ?? "");
      return commit ? json(200, commit) : notFound();
    },
  },
  {
    method: "GET",
    pattern: /^\/git\/ref\/(.+)$/,
    handle: ({ state, repo, params }) => {
      const ref = `refs/${params[0]}`;
      const sha = repo.refs.get(ref);
      return sha ? json(200, gitRef(state.baseUrl, repo, ref, sha)) : notFound();
    },
  },
  { method: "POST", pattern: /^\/git\/refs$/, handle: readOnly(createRef) },
  { method: "PATCH", pattern: /^\/git\/refs\/(.+)$/, handle: readOnly(updateRef) },
];
