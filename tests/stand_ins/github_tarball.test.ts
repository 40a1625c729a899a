import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { GitHubGateway, RepoRef } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { readTarball, type TarEntry } from "../github/read_tarball.ts";
import { formatCommit } from "./github/format_subst.ts";
import { type GitHubStandIn, startGitHubStandIn } from "./github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "../github/client_defaults.ts";

const repo: RepoRef = { owner: "acme", name: "lib" };
const bytes = (value: string) => new TextEncoder().encode(value);
const SUBMODULE = "fedcba9876543210fedcba9876543210fedcba98";

const VERSION_PY = [
  '__commit__ = "$Format:%H$"',
  '__short__ = "$Format:%h$"',
  '__date__ = "$Format:%cd$"',
  '__both__ = "$Format:%h by %an on %ci$"',
  '__unknown__ = "$Format:%Q$"',
  "",
].join("\n");

describe("the stand-in's tarball honours .gitattributes as git archive does", () => {
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;
  let sha: string;
  let entries: TarEntry[];
  let top: string;
  const names = () => entries.map((entry) => entry.name.slice(top.length));
  const file = (path: string) => entries.find((entry) => entry.name === `${top}${path}`);

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/lib", {
      defaultBranch: "main",
      files: new Map([
        [
          ".gitattributes",
          bytes(
            "# export rules\ntests/ export-ignore\napp/_version.py export-subst\n*.secret export-ignore\n" +
              "docs/** export-ignore\nbuild/ export-ignore\nconfig export-subst\n*.log export-ignore\n",
          ),
        ],
        ["app/_version.py", bytes(VERSION_PY)],
        ["app/main.py", bytes('VERSION = "$Format:%H$"\n')],
        ["tests/test_core.py", bytes("def test_core(): pass\n")],
        ["tests/data/case.json", bytes("{}\n")],
        ["notes.secret", bytes("s")],
        ["deep/inner/a.secret", bytes("s")],
        ["deep/inner/keep.txt", bytes("k")],
        ["docs/guide.md", bytes("# Guide\n")],
        ["src/build", bytes("a file named build\n")],
        ["config/settings.py", bytes('SHA = "$Format:%H$"\n')],
        ["lib/.gitattributes", bytes("keep.log -export-ignore\ngenerated.py export-ignore\n")],
        ["lib/keep.log", bytes("kept\n")],
        ["lib/drop.log", bytes("dropped\n")],
        ["lib/generated.py", bytes("gen\n")],
        ["lib/core.py", bytes("core\n")],
      ]),
      gitlinks: new Map([["vendor/lib", SUBMODULE]]),
    });
    gateway = createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: standIn.token, baseUrl: standIn.url });
    sha = (await gateway.resolveBase(repo)).sha;
    entries = await readTarball(await gateway.downloadTarball(repo, sha));
    top = `acme-lib-${sha.slice(0, 7)}/`;
  });

  afterAll(() => standIn.close());

  test("export-ignore drops matching files and whole folders; folders are written once something in them is", () => {
    expect(names()).toEqual([
      "",
      ".gitattributes",
      "app/",
      "app/_version.py",
      "app/main.py",
      "config/",
      "config/settings.py",
      "deep/",
      "deep/inner/",
      "deep/inner/keep.txt",
      // git archive writes a folder before asking about the file in it, so `docs/**` leaves `docs/` empty.
      "docs/",
      "lib/",
      "lib/.gitattributes",
      "lib/core.py",
      "lib/keep.log",
      "src/",
      "src/build",
      "vendor/",
      "vendor/lib/",
    ]);
  });

  test("the tree still holds every path the tarball left out", async () => {
    const { treeSha } = await gateway.resolveBase(repo);
    const paths = (await gateway.getTree(repo, treeSha)).map((entry) => entry.path);
    for (
      const path of ["tests/test_core.py", "notes.secret", "docs/guide.md", "lib/drop.log", "vendor/lib"]
    ) {
      expect(paths).toContain(path);
    }
  });

  test("export-subst expands $Format:…$ placeholders with the commit's values, only where it is set", () => {
    expect(file("app/_version.py")?.content).toBe(
      [
        `__commit__ = "${sha}"`,
        `__short__ = "${sha.slice(0, 7)}"`,
        '__date__ = "Mon Jan 1 00:00:00 2024 +0000"',
        `__both__ = "${sha.slice(0, 7)} by Scenario Author on 2024-01-01 00:00:00 +0000"`,
        '__unknown__ = "%Q"',
        "",
      ].join("\n"),
    );
    expect(file("app/main.py")?.content).toBe('VERSION = "$Format:%H$"\n');
    // `config export-subst` names a folder: like every attribute, it does not reach the files inside.
    expect(file("config/settings.py")?.content).toBe('SHA = "$Format:%H$"\n');
  });

  test("a deeper .gitattributes overrides the root one for the paths below it", () => {
    expect(file("lib/keep.log")?.content).toBe("kept\n");
    expect(file("lib/drop.log")).toBeUndefined();
    expect(file("lib/generated.py")).toBeUndefined();
  });

  test("a submodule (gitlink) is an empty folder, as in GitHub's tarballs", () => {
    expect(file("vendor/lib/")).toMatchObject({ type: "directory", mode: 0o775 });
    expect(
      entries.some((entry) =>
        entry.name.startsWith(`${top}vendor/lib/`) && entry.name !== `${top}vendor/lib/`
      ),
    )
      .toBe(false);
  });

  test("placeholders follow git's pretty formats", () => {
    const who = { name: "Ann", email: "ann@example.com", date: "2024-02-29T13:05:09Z" };
    const commit = {
      tree: "t".repeat(40),
      parents: ["p".repeat(40)],
      author: who,
      committer: who,
      message: "Title\nline two\n\nBody\n",
    };
    expect(formatCommit("%H|%h|%T|%p|%an <%ae>|%ad|%aD|%aI|%at|%s|%b|%n|%%|%x", "c".repeat(40), commit)).toBe(
      `${"c".repeat(40)}|ccccccc|${
        "t".repeat(40)
      }|ppppppp|Ann <ann@example.com>|Thu Feb 29 13:05:09 2024 +0000|` +
        "Thu, 29 Feb 2024 13:05:09 +0000|2024-02-29T13:05:09+00:00|1709211909|Title line two|Body\n|\n|%|%x",
    );
  });
});
