/**
 * Git objects as git itself hashes them: blobs, trees and commits stored in
 * memory under their real SHA-1 object ids.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";

/** Modes git uses in trees (trees are written `40000` in the object, `040000` by the API). */
export type GitMode = "100644" | "100755" | "120000" | "160000" | "040000";

/** One entry of a tree object. */
export interface TreeEntry {
  name: string;
  mode: GitMode;
  type: "blob" | "tree" | "commit";
  sha: string;
}

/** Author or committer line of a commit. */
export interface Signature {
  name: string;
  email: string;
  /** ISO 8601 date. */
  date: string;
}

/** The fields of a commit object. */
export interface CommitData {
  tree: string;
  parents: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

/** A stored object. */
export type GitObject =
  | { type: "blob"; sha: string; bytes: Uint8Array }
  | { type: "tree"; sha: string; entries: TreeEntry[] }
  | { type: "commit"; sha: string; commit: CommitData };

const encoder = new TextEncoder();

/** sha1 of `"<type> <len>\0" + content`, the way git names objects. */
export function gitHash(type: string, content: Uint8Array): string {
  return createHash("sha1").update(encoder.encode(`${type} ${content.byteLength}\0`)).update(content).digest(
    "hex",
  );
}

/** Git's tree order: by name bytes, a tree compared as if its name ended in `/`. */
function treeOrder(a: TreeEntry, b: TreeEntry): number {
  const key = (entry: TreeEntry) => Buffer.from(entry.type === "tree" ? `${entry.name}/` : entry.name);
  return Buffer.compare(key(a), key(b));
}

function encodeTree(entries: TreeEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const mode = entry.mode === "040000" ? "40000" : entry.mode;
    parts.push(encoder.encode(`${mode} ${entry.name}\0`), Buffer.from(entry.sha, "hex"));
  }
  return Buffer.concat(parts);
}

function signatureLine(role: string, who: Signature): string {
  const seconds = Math.floor(Date.parse(who.date) / 1000);
  return `${role} ${who.name} <${who.email}> ${seconds} +0000\n`;
}

function encodeCommit(commit: CommitData): Uint8Array {
  let text = `tree ${commit.tree}\n`;
  for (const parent of commit.parents) text += `parent ${parent}\n`;
  text += signatureLine("author", commit.author) + signatureLine("committer", commit.committer);
  text += `\n${commit.message.endsWith("\n") ? commit.message : `${commit.message}\n`}`;
  return encoder.encode(text);
}

/** An object database: write returns the real git object id. */
export class ObjectStore {
  readonly #objects = new Map<string, GitObject>();

  /** Stores `bytes` as a blob. */
  writeBlob(bytes: Uint8Array): string {
    const sha = gitHash("blob", bytes);
    this.#objects.set(sha, { type: "blob", sha, bytes });
    return sha;
  }

  /** Stores a tree; entries are sorted the git way. */
  writeTree(entries: TreeEntry[]): string {
    const sorted = [...entries].sort(treeOrder);
    const sha = gitHash("tree", encodeTree(sorted));
    this.#objects.set(sha, { type: "tree", sha, entries: sorted });
    return sha;
  }

  /** Stores a commit. */
  writeCommit(commit: CommitData): string {
    const sha = gitHash("commit", encodeCommit(commit));
    this.#objects.set(sha, { type: "commit", sha, commit });
    return sha;
  }

  get(sha: string): GitObject | undefined {
    return this.#objects.get(sha.toLowerCase());
  }

  blob(sha: string): Uint8Array | undefined {
    const object = this.get(sha);
    return object?.type === "blob" ? object.bytes : undefined;
  }

  tree(sha: string): TreeEntry[] | undefined {
    const object = this.get(sha);
    return object?.type === "tree" ? object.entries : undefined;
  }

  commit(sha: string): CommitData | undefined {
    const object = this.get(sha);
    return object?.type === "commit" ? object.commit : undefined;
  }

  /** True when `ancestor` is `descendant` or reachable through its parents. */
  isAncestor(ancestor: string, descendant: string): boolean {
    const seen = new Set<string>();
    const queue = [descendant];
    for (let sha = queue.pop(); sha !== undefined; sha = queue.pop()) {
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commit(sha)?.parents ?? []));
    }
    return false;
  }

  /** Commits reachable from `head` but not from `base`. */
  commitsBetween(base: string, head: string): number {
    const excluded = new Set<string>();
    const walk = (start: string, visit: (sha: string) => boolean) => {
      const queue = [start];
      for (let sha = queue.pop(); sha !== undefined; sha = queue.pop()) {
        if (!visit(sha)) continue;
        queue.push(...(this.commit(sha)?.parents ?? []));
      }
    };
    walk(base, (sha) => !excluded.has(sha) && excluded.add(sha) !== undefined);
    let count = 0;
    const seen = new Set<string>();
    walk(head, (sha) => {
      if (excluded.has(sha) || seen.has(sha)) return false;
      seen.add(sha);
      count++;
      return true;
    });
    return count;
  }
}
