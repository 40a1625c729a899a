/**
 * The gzip tarball GitHub's codeload serves for a commit, as `git archive`
 * writes it: a pax global header carrying the commit id, then one top folder
 * `{owner}-{repo}-{shortsha}/` holding the tree, in ustar format. The tree's
 * `.gitattributes` apply: `export-ignore` leaves a path out (a folder with all
 * it holds), `export-subst` expands `$Format:…$` in a file. A folder is
 * written only once something inside it is (git archive queues folders), and
 * a gitlink (submodule) is an empty folder.
 */
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import { formatSubst } from "./format_subst.ts";
import { type AttributeValue, gitAttributes } from "./git_attributes.ts";
import type { CommitData, ObjectStore } from "./git_objects.ts";
import { flattenTree } from "./tree_paths.ts";

const BLOCK = 512;
const RECORD = BLOCK * 20;
const encoder = new TextEncoder();

interface Header {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname?: string;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function writeField(block: Uint8Array, offset: number, width: number, text: string): void {
  block.set(encoder.encode(text).subarray(0, width), offset);
}

function headerBlock(header: Header, prefix = ""): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeField(block, 0, 100, header.name);
  writeField(block, 100, 8, octal(header.mode, 8));
  writeField(block, 108, 8, octal(0, 8));
  writeField(block, 116, 8, octal(0, 8));
  writeField(block, 124, 12, octal(header.size, 12));
  writeField(block, 136, 12, octal(header.mtime, 12));
  writeField(block, 148, 8, "        ");
  writeField(block, 156, 1, header.typeflag);
  writeField(block, 157, 100, header.linkname ?? "");
  writeField(block, 257, 6, "ustar\0");
  writeField(block, 263, 2, "00");
  writeField(block, 265, 32, "root");
  writeField(block, 297, 32, "root");
  writeField(block, 345, 155, prefix);
  const sum = block.reduce((total, byte) => total + byte, 0);
  writeField(block, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

function padded(bytes: Uint8Array): Uint8Array[] {
  const rest = bytes.byteLength % BLOCK;
  return rest === 0 ? [bytes] : [bytes, new Uint8Array(BLOCK - rest)];
}

/** One pax record `"<len> key=value\n"`, where len counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = encoder.encode(body).byteLength;
  let length = bodyBytes + String(bodyBytes).length;
  if (String(length).length !== String(bodyBytes).length) length = bodyBytes + String(length).length;
  return `${length}${body}`;
}

/** Blocks for one member; names longer than ustar allows use a prefix split or a pax `path` record. */
function member(header: Header, data: Uint8Array = new Uint8Array()): Uint8Array[] {
  const nameBytes = encoder.encode(header.name).byteLength;
  const blocks: Uint8Array[] = [];
  let prefix = "";
  if (nameBytes > 100) {
    const cut = header.name.lastIndexOf("/", header.name.length - 2);
    const head = header.name.slice(0, cut);
    const tail = header.name.slice(cut + 1);
    if (cut > 0 && encoder.encode(head).byteLength <= 155 && encoder.encode(tail).byteLength <= 100) {
      prefix = head;
      header = { ...header, name: tail };
    } else {
      const pax = encoder.encode(paxRecord("path", header.name));
      blocks.push(
        headerBlock({
          name: "PaxHeader",
          mode: 0o666,
          size: pax.byteLength,
          mtime: header.mtime,
          typeflag: "x",
        }),
      );
      blocks.push(...padded(pax));
    }
  }
  blocks.push(headerBlock(header, prefix), ...padded(data));
  return blocks;
}

/** Options for {@link githubTarball}. */
export interface TarballOptions {
  /** Folder every entry lives under, without the trailing slash. */
  topFolder: string;
  commitSha: string;
  /** The archived commit: its tree, its committer time (every entry's mtime) and `export-subst` values. */
  commit: CommitData;
}

/** The `.gitattributes` files of a tree, path → text. */
function attributeFiles(store: ObjectStore, treeSha: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const [path, entry] of flattenTree(store, treeSha)) {
    if (entry.type === "blob" && (path === ".gitattributes" || path.endsWith("/.gitattributes"))) {
      files.set(path, new TextDecoder().decode(store.blob(entry.sha)));
    }
  }
  return files;
}

/** Builds the gzip tarball of the commit's tree the way GitHub (git archive) lays it out. */
export function githubTarball(store: ObjectStore, options: TarballOptions): Uint8Array<ArrayBuffer> {
  const { commit, commitSha, topFolder } = options;
  const mtime = Math.floor(Date.parse(commit.committer.date) / 1000);
  const attributes = gitAttributes(attributeFiles(store, commit.tree));
  const is = (values: Map<string, AttributeValue>, name: string) => values.get(name) === true;
  const comment = encoder.encode(paxRecord("comment", commitSha));
  const blocks: Uint8Array[] = [
    headerBlock({ name: "pax_global_header", mode: 0o666, size: comment.byteLength, mtime, typeflag: "g" }),
    ...padded(comment),
    ...member({ name: `${topFolder}/`, mode: 0o775, size: 0, mtime, typeflag: "5" }),
  ];
  const folder = (path: string) =>
    member({ name: `${topFolder}/${path}/`, mode: 0o775, size: 0, mtime, typeflag: "5" });
  /** Folders entered but not written yet: written when the first entry inside them is. */
  const pending: string[] = [];
  const walk = (sha: string, prefix: string) => {
    for (const entry of store.tree(sha) ?? []) {
      const path = `${prefix}${entry.name}`;
      if (entry.type === "tree") {
        if (is(attributes.lookup(path, true), "export-ignore")) continue;
        pending.push(path);
        walk(entry.sha, `${path}/`);
        if (pending.at(-1) === path) pending.pop();
        continue;
      }
      for (const queued of pending.splice(0)) blocks.push(...folder(queued));
      const values = attributes.lookup(path, entry.type === "commit");
      if (is(values, "export-ignore")) continue;
      if (entry.type === "commit") {
        blocks.push(...folder(path));
        continue;
      }
      let bytes = store.blob(entry.sha) ?? new Uint8Array();
      const name = `${topFolder}/${path}`;
      if (entry.mode === "120000") {
        const linkname = new TextDecoder().decode(bytes);
        blocks.push(...member({ name, mode: 0o777, size: 0, mtime, typeflag: "2", linkname }));
        continue;
      }
      if (is(values, "export-subst")) bytes = formatSubst(bytes, commitSha, commit);
      const mode = entry.mode === "100755" ? 0o775 : 0o664;
      blocks.push(...member({ name, mode, size: bytes.byteLength, mtime, typeflag: "0" }, bytes));
    }
  };
  walk(commit.tree, "");
  blocks.push(new Uint8Array(BLOCK * 2));
  const tar = Buffer.concat(blocks);
  const rest = tar.byteLength % RECORD;
  const archive = rest === 0 ? tar : Buffer.concat([tar, new Uint8Array(RECORD - rest)]);
  return new Uint8Array(gzipSync(archive));
}
