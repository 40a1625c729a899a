import { afterEach, describe, expect, test } from "vitest";
import { NO_USAGE } from "../../src/contracts/usage.ts";
import type { WorkItemPublication } from "../../src/contracts/work_item_publication.ts";
import { ADMIN_KEY, type ApiFixture, apiFixture, READER_KEY, TEST_KEY } from "../api/api_fixture.ts";

const HOSTILE = `[dev] Stats <script>window.pwned=1</script><img src=x onerror="window.pwned=2"> & "quotes"`;

let api: ApiFixture | undefined;
afterEach(() => {
  api?.store.close();
  api = undefined;
});

/** A finished job in `repo` whose work item #7 has the hostile title and a pull request. */
async function finishedJob(fixture: ApiFixture, repo: string, submitter = "key:ci") {
  const job = await fixture.store.create({ repo, issue: 7, submitter });
  await fixture.store.claimNext({ id: job.id });
  await fixture.store.finish(job.id, {
    status: "succeeded",
    pullRequests: [{ issue: 7, number: 3, url: "https://github.example/acme/api/pull/3" }],
    workItems: [{
      issue: 7,
      title: HOSTILE,
      status: "submitted",
      pullRequest: { issue: 7, number: 3, url: "javascript:alert(1)" },
      usage: { ...NO_USAGE, totalTokens: 1234, costUsd: 0.0421, turns: 3 },
      tests: { command: "pytest -q", passed: 4, failed: 0, exitCode: 0 },
    }],
  });
  return job.id;
}

const get = (fixture: ApiFixture, path: string, key?: string) =>
  fixture.app.request(path, key ? { headers: { authorization: `Bearer ${key}` } } : {});

describe("dashboard shell", () => {
  test("every page is a shell with the strict CSP, only the service's own script, and no data", async () => {
    api = apiFixture();
    const id = await finishedJob(api, "acme/api");
    for (
      const path of [
        "/ui",
        `/ui/jobs/${id}`,
        `/ui/jobs/${id}/items/7`,
        `/ui/jobs/${id}/items/7/trajectory`,
        "/ui/environments",
      ]
    ) {
      const response = await get(api, path);
      expect(response.status, path).toBe(200);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain("unsafe-inline");
      const page = await response.text();
      expect(page.match(/<script[^>]*>/g)).toEqual(['<script type="module" src="/ui/assets/dashboard.js">']);
      expect(page).not.toContain("Stats");
      expect(page).not.toContain("1234");
    }
    const script = await get(api, "/ui/assets/dashboard.js");
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain("sessionStorage");
  });

  test("what the URL carries is escaped in the shell", async () => {
    api = apiFixture();
    const page = await (await get(api, `/ui/jobs/${encodeURIComponent('"><script>x</script>')}`)).text();
    expect(page).not.toContain("<script>x");
    expect(page).toContain("&lt;script&gt;x");
    const list = await (await get(api, `/ui?repo=${encodeURIComponent('"><b>')}`)).text();
    expect(list).not.toContain('"><b>');
  });
});

describe("dashboard fragments", () => {
  test("need a credential, as the API does", async () => {
    api = apiFixture();
    const response = await get(api, "/ui/fragments/jobs");
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("unauthenticated");
  });

  test("a hostile issue title is text; a javascript: link is not a link", async () => {
    api = apiFixture();
    const id = await finishedJob(api, "acme/api");
    for (
      const path of ["/ui/fragments/jobs", `/ui/fragments/jobs/${id}`, `/ui/fragments/jobs/${id}/items/7`]
    ) {
      const html = await (await get(api, path, TEST_KEY)).text();
      expect(html, path).toContain("&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=");
      expect(html, path).not.toMatch(/<script|<img|javascript:/i);
    }
  });

  test("a key sees only the jobs of its repositories, exactly as the API lists them", async () => {
    api = apiFixture();
    const mine = await finishedJob(api, "acme/api");
    const theirs = await finishedJob(api, "other/secret", "key:root");
    const list = await (await get(api, "/ui/fragments/jobs", TEST_KEY)).text();
    expect(list).toContain(mine);
    expect(list).not.toContain(theirs);
    expect(list).not.toContain("other/secret");
    const refused = await get(api, `/ui/fragments/jobs/${theirs}`, TEST_KEY);
    expect(refused.status).toBe(404);
    expect((await refused.json()).error.code).toBe("job_not_found");
    expect(await (await get(api, "/ui/fragments/jobs", ADMIN_KEY)).text()).toContain(theirs);
  });

  test("the cancel button is offered to a submitter with jobs:write on a job that is not final", async () => {
    api = apiFixture();
    const job = await api.store.create({ repo: "acme/api", issue: 9, submitter: "key:ci" });
    expect(await (await get(api, `/ui/fragments/jobs/${job.id}`, TEST_KEY)).text()).toContain("data-cancel");
    expect(await (await get(api, `/ui/fragments/jobs/${job.id}`, READER_KEY)).text()).not.toContain(
      "data-cancel",
    );
    const done = await finishedJob(api, "acme/api");
    expect(await (await get(api, `/ui/fragments/jobs/${done}`, TEST_KEY)).text()).not.toContain(
      "data-cancel",
    );
  });

  test("the work item shows its diff file by file, the criteria mapping and the tests, all escaped", async () => {
    api = apiFixture();
    const id = await finishedJob(api, "acme/api");
    const publication: WorkItemPublication = {
      issue: 7,
      pullRequest: { issue: 7, number: 3, url: "https://github.example/acme/api/pull/3" },
      commitSha: "a".repeat(40),
      files: [
        {
          path: "app/<b>bold</b>.py",
          status: "modified",
          additions: 1,
          deletions: 1,
          binary: false,
          patch: "@@ -1,2 +1,2 @@\n context\n-old <i>\n+new </pre><script>x()</script>",
        },
        { path: "logo.png", status: "added", additions: 0, deletions: 0, binary: true, patch: "" },
      ],
      criteriaMapping:
        "1. **Counts** — met\n   Evidence: <img src=x onerror=alert(1)> [see](javascript:alert(1))",
      tests: { command: "pytest -q", passed: 4, failed: 0, exitCode: 0, tail: "4 passed in 0.1s <script>" },
    };
    await api.store.savePublication(id, publication);
    const response = await get(api, `/ui/fragments/jobs/${id}/items/7`, TEST_KEY);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("app/&lt;b&gt;bold&lt;/b&gt;.py");
    expect(html).toContain("modified, +1 −1");
    expect(html).toContain('<span class="del">-old &lt;i&gt;</span>');
    expect(html).toContain('<span class="add">+new &lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;</span>');
    expect(html).toContain("Binary file");
    expect(html).toContain("<strong>Counts</strong>");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("4 passed, 0 failed (exit 0)");
    expect(html).toContain("4 passed in 0.1s &lt;script&gt;");
    expect(html).not.toMatch(/<script|<img|<b>|<i>|javascript:/i);
  });

  test("the trajectory shows every tool call in order with its duration and tokens; long output folds", async () => {
    api = apiFixture();
    const id = await finishedJob(api, "acme/api");
    await api.store.saveTrajectory(id, 7, [{
      turn: 1,
      atMs: 5,
      request: { messages: 1, maxTokens: 1000, estimatedInputTokens: 10, nudge: false },
      response: {
        id: "msg_1",
        stopReason: "tool_use",
        content: [
          { type: "text", text: "Looking <around>." },
          { type: "tool_use", id: "t1", name: "bash", input: { command: "ls" } },
          { type: "tool_use", id: "t2", name: "view", input: { path: "app/main.py" } },
        ],
        usage: { input_tokens: 100, output_tokens: 20 },
        durationMs: 1500,
      },
      tools: [
        {
          toolUseId: "t1",
          name: "bash",
          input: { command: "ls" },
          output: "app\ntests",
          isError: false,
          truncated: false,
          durationMs: 42,
        },
        {
          toolUseId: "t2",
          name: "view",
          input: { path: "app/main.py" },
          output: "x\n".repeat(500),
          isError: false,
          truncated: false,
          durationMs: 7,
        },
      ],
    }]);
    const html = await (await get(api, `/ui/fragments/jobs/${id}/items/7/trajectory`, TEST_KEY)).text();
    expect(html).toContain("1 model calls, 2 tool calls.");
    expect(html).toContain("Looking &lt;around&gt;.");
    expect(html.indexOf('data-tool-use-id="t1"')).toBeLessThan(html.indexOf('data-tool-use-id="t2"'));
    expect(html).toContain("Took 42 ms · input ≈ 6 tokens · result ≈ 3 tokens");
    expect(html).toContain("Result: 501 lines, 1,000 characters (folded)");
    expect(html).toMatch(/<details class="fold"\s+open\s*>\s*<summary>Result: 2 lines/);
  });
});
