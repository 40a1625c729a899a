/**
 * The codeload side of a tarball download: `GET /_codeload/{owner}/{repo}/legacy.tar.gz/{ref}?token=…`,
 * authorised by the one-off token of the redirect (not by the API token, like codeload.github.com).
 */
import type { StandInState } from "./state.ts";
import { githubTarball } from "./tarball.ts";

/** Answers a codeload request, or undefined when `url` is not one. */
export function codeload(state: StandInState, url: URL): Response | undefined {
  const match = /^\/_codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/.+$/.exec(url.pathname);
  if (!match) return undefined;
  const grant = state.codeloadTokens.get(url.searchParams.get("token") ?? "");
  if (!grant || grant.repo.owner !== match[1] || grant.repo.name !== match[2]) {
    return new Response("404: Not Found", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  const { repo, sha } = grant;
  const commit = repo.store.commit(sha);
  if (!commit) return new Response("404: Not Found", { status: 404 });
  const topFolder = `${repo.owner}-${repo.name}-${sha.slice(0, 7)}`;
  const bytes = githubTarball(repo.store, { topFolder, commitSha: sha, commit });
  return new Response(bytes, {
    status: 200,
    headers: {
      "content-type": "application/x-gzip",
      "content-disposition": `attachment; filename=${topFolder}.tar.gz`,
      "content-length": String(bytes.byteLength),
      etag: `"${sha}"`,
    },
  });
}
