import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitHubError } from "../../src/errors.ts";
import type { CommitFile, GitHubGateway, RepoRef } from "../../src/github/gateway.ts";
import { createOctokitGateway } from "../../src/github/octokit_gateway.ts";
import { type GitHubStandIn, startGitHubStandIn } from "../stand_ins/github_server.ts";
import { GITHUB_CLIENT_DEFAULTS } from "./client_defaults.ts";

const repo: RepoRef = { owner: "acme", name: "app" };
const bytes = (value: string) => new TextEncoder().encode(value);

/**
 * The gateway's own check, whatever the pipeline checked before: a caller that hands it a
 * symlink, a gitlink, a non-canonical or a `.git` path gets an error, and GitHub gets nothing.
 */
describe("pushBranch() sends GitHub only regular files at canonical paths", () => {
  let standIn: GitHubStandIn;
  let gateway: GitHubGateway;
  let baseSha: string;

  beforeAll(async () => {
    standIn = await startGitHubStandIn();
    standIn.addRepo("acme/app", { defaultBranch: "main", files: new Map([["README.md", bytes("# App\n")]]) });
    gateway = createOctokitGateway({ ...GITHUB_CLIENT_DEFAULTS, token: standIn.token, baseUrl: standIn.url });
    ({ sha: baseSha } = await gateway.resolveBase(repo));
  });

  afterAll(() => standIn.close());

  test.each([
    ["id_rsa", "120000", /"id_rsa" cannot be committed \(mode 120000 is not 100644 or 100755\)/],
    ["vendor/x", "160000", /"vendor\/x" cannot be committed \(mode 160000 is not 100644 or 100755\)/],
    ["dir", "040000", /mode 040000 is not 100644 or 100755/],
    ["x", "garbage", /mode garbage is not 100644 or 100755/],
    [".github//workflows/x.yml", "100644", /the path has an empty component/],
    ["./.github/workflows/x.yml", "100644", /the path has a "\." component/],
    [".github/./workflows/x.yml", "100644", /the path has a "\." component/],
    ["../x", "100644", /the path has a "\.\." component/],
    ["/etc/x", "100644", /the path is absolute/],
    [".GIT/config", "100644", /the path is or is under \.git or \.gitmodules/],
    [".git./config", "100644", /the path is or is under \.git or \.gitmodules/],
    ["git~1/config", "100644", /the path is or is under \.git or \.gitmodules/],
    [".g\u200cit/config", "100644", /the path is or is under \.git or \.gitmodules/],
    [".Gitmodules", "100644", /the path is or is under \.git or \.gitmodules/],
  ])("%j with mode %s is refused before any request", async (path, mode, message) => {
    const bad = { path, mode, content: bytes("/home/runner/.ssh/id_rsa") } as unknown as CommitFile;
    const before = standIn.requests.length;
    const error = await gateway.pushBranch(repo, {
      baseSha,
      branch: "agent/issue-1-hostile",
      message: "Hostile",
      files: [{ path: "ok.py", mode: "100644", content: bytes("ok\n") }, bad],
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/nothing was written to GitHub$/);
    expect(standIn.requests.slice(before)).toEqual([]);
  });

  test("the same path twice is refused", async () => {
    const before = standIn.requests.length;
    await expect(gateway.pushBranch(repo, {
      baseSha,
      branch: "agent/issue-1-twice",
      message: "Twice",
      files: [{ path: "a.py", content: bytes("1") }, { path: "a.py", content: bytes("2") }],
    })).rejects.toThrow(/"a\.py" cannot be committed \(the path is listed twice\)/);
    expect(standIn.requests.slice(before)).toEqual([]);
  });

  test("regular and executable files go through, with their modes", async () => {
    await gateway.pushBranch(repo, {
      baseSha,
      branch: "agent/issue-1-fine",
      message: "Fine",
      files: [
        { path: "app/ok.py", mode: "100644", content: bytes("ok\n") },
        { path: "bin/run", mode: "100755", content: bytes("#!/bin/sh\n") },
      ],
    });
    const trees = standIn.requests.filter((r) => r.method === "POST" && r.path.endsWith("/git/trees"));
    expect(trees.at(-1)!.body).toMatchObject({
      tree: [
        { path: "app/ok.py", mode: "100644", type: "blob" },
        { path: "bin/run", mode: "100755", type: "blob" },
      ],
    });
  });
});
