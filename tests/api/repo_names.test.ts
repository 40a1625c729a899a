import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { repoNameProblem } from "../../src/api/repo_name.ts";
import { ADMIN_KEY, type ApiFixture, apiFixture, errorOf } from "./api_fixture.ts";

describe("repository names follow GitHub's rules", () => {
  let api: ApiFixture;
  beforeEach(() => {
    api = apiFixture();
  });
  afterEach(() => api.store.close());

  test("names an acme/* allowlist would match but GitHub does not allow are a 422, and nothing is stored", async () => {
    const cases: Array<[string, RegExp]> = [
      ["acme/..", /^repo: name cannot be "\.\."$/],
      ["acme/.", /^repo: name cannot be "\."$/],
      ["acme/-x", /^repo: name must be .*not starting with '-'/],
      ["acme/x.git", /^repo: name cannot end in "\.git"/],
      ["acme/x.wiki", /^repo: name cannot end in "\.git" or "\.wiki"/],
      [`acme/${"a".repeat(101)}`, /^repo: name must be 1-100/],
      ["acme/a/b", /^repo: must look like "owner\/name"/],
      ["acme/", /^repo: name must be/],
      ["acme/x y", /^repo: name must be/],
      ["-acme/x", /^repo: owner must be .*not starting or ending with a hyphen/],
      ["acme-/x", /^repo: owner must be/],
      ["ac--me/x", /^repo: owner must be/],
      ["ac_me/x", /^repo: owner must be/],
      [`${"a".repeat(40)}/x`, /^repo: owner must be 1-39/],
      [`${"a".repeat(40)}/${"b".repeat(101)}`, /^repo: /],
      ["a".repeat(200), /^repo: must be at most 141 characters$/],
    ];
    for (const [repo, message] of cases) {
      const response = await api.call("/v1/jobs", { body: { repo, issue: 1 } });
      expect(response.status, repo).toBe(422);
      const error = await errorOf(response);
      expect(error.code, repo).toBe("invalid_request");
      expect(error.message, repo).toMatch(message);
      const listed = await api.call(`/v1/jobs?repo=${encodeURIComponent(repo)}`);
      expect(listed.status, repo).toBe(422);
    }
    expect((await api.store.list({ limit: 10 })).jobs).toEqual([]);
  });

  test("names GitHub allows are accepted, at the length limits too", async () => {
    const names = [
      "acme/.github",
      "acme/x.y_z-1",
      "acme/_private",
      "acme/..x",
      `acme/${"a".repeat(100)}`,
      "a/b",
      "acme-corp-2/tasks",
    ];
    const root = { authorization: `Bearer ${ADMIN_KEY}` };
    for (const repo of [...names, `${"a".repeat(19)}-${"b".repeat(19)}/tasks`]) {
      expect(repoNameProblem(repo), repo).toBeUndefined();
      expect((await api.call("/v1/jobs", { body: { repo, issue: 1 }, headers: root })).status, repo).toBe(
        202,
      );
    }
  });
});
