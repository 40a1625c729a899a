import { describe, expect, test } from "vitest";
import { PATCH_TOTAL_MAX_CHARS } from "../../src/contracts/work_item_publication.ts";
import { MAX_EDIT_LINES, publishedFiles } from "../../src/pipeline/published_diff.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("published diff", () => {
  test("each file against its base bytes: status, added and deleted lines, the hunks", () => {
    const [modified, added, deleted] = publishedFiles([
      { path: "app/a.py", status: "modified", content: bytes("one\ntwo\nthree\n") },
      { path: "app/new.py", status: "added", content: bytes("x = 1\ny = 2\n") },
      { path: "old.txt", status: "deleted" },
    ], new Map([["app/a.py", bytes("one\n2\nthree\n")], ["old.txt", bytes("gone\n")]]));
    expect(modified).toEqual({
      path: "app/a.py",
      status: "modified",
      additions: 1,
      deletions: 1,
      binary: false,
      patch: "@@ -1,3 +1,3 @@\n one\n-2\n+two\n three",
    });
    expect(added).toMatchObject({ additions: 2, deletions: 0, patch: "@@ -0,0 +1,2 @@\n+x = 1\n+y = 2" });
    expect(deleted).toMatchObject({ additions: 0, deletions: 1, patch: "@@ -1,1 +0,0 @@\n-gone" });
  });

  test("binary content (a NUL byte, invalid UTF-8) counts no lines and shows no patch", () => {
    const files = publishedFiles([
      { path: "logo.png", status: "added", content: new Uint8Array([0x89, 0x50, 0, 1]) },
      { path: "latin1.txt", status: "modified", content: new Uint8Array([0xe9, 0x0a]) },
    ], new Map([["latin1.txt", bytes("e\n")]]));
    expect(files.map((f) => [f.binary, f.additions, f.deletions, f.patch])).toEqual([
      [true, 0, 0, ""],
      [true, 0, 0, ""],
    ]);
  });

  test("a rewrite past the edit bound is counted, not diffed; patches stop at the total cap", () => {
    const lines = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${prefix}${i}`).join("\n") + "\n";
    const [rewritten] = publishedFiles(
      [{ path: "big.txt", status: "modified", content: bytes(lines("new", MAX_EDIT_LINES + 10)) }],
      new Map([["big.txt", bytes(lines("old", MAX_EDIT_LINES + 10))]]),
    );
    expect(rewritten).toMatchObject({
      additions: MAX_EDIT_LINES + 10,
      deletions: MAX_EDIT_LINES + 10,
      patch: "",
    });
    expect(rewritten!.patchOmitted).toContain("counted as rewritten");
    const long = "y".repeat(PATCH_TOTAL_MAX_CHARS / 2) + "\n";
    const files = publishedFiles(
      [1, 2, 3].map((n) => ({ path: `f${n}.txt`, status: "added" as const, content: bytes(long) })),
      new Map(),
    );
    expect(files.map((f) => f.patch === "")).toEqual([false, true, true]);
    expect(files.every((f) => f.additions === 1)).toBe(true);
    expect(files[2]!.patchOmitted).toContain(String(PATCH_TOTAL_MAX_CHARS));
  });
});
