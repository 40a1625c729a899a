import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "puppeteer-core";
import { taskStatsScenario } from "../../examples/scenarios/task_stats.ts";
import type { Scenario } from "../../examples/scenario.ts";
import { fetchEvents, waitForJob } from "../e2e/harness.ts";
import { openBrowser, type PageRecord, recordingPage, screenshot, signIn, waitForText } from "./browser.ts";
import { bearer, type DashboardHarness, startDashboardHarness, submitJob } from "./dashboard_fixture.ts";

const HOSTILE = ` <script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"><b>bold</b>`;
/** The demo's scenario, its issue title carrying markup and script. */
const scenario: Scenario = {
  ...taskStatsScenario,
  issues: taskStatsScenario.issues.map((issue) =>
    issue.number === taskStatsScenario.jobIssue ? { ...issue, title: issue.title + HOSTILE } : issue
  ),
};
const repo = scenario.repo.fullName;

let fixture: DashboardHarness;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let page: Page;
let record: PageRecord;
let jobId: string;
let apiUrl: string;

beforeAll(async () => {
  fixture = await startDashboardHarness(scenario);
  apiUrl = fixture.harness.apiUrl;
  jobId = await submitJob(fixture.harness, scenario, fixture.operatorKey);
  const job = await waitForJob(apiUrl, jobId, { headers: bearer(fixture.operatorKey) });
  expect(job.status).toBe("succeeded");
  browser = await openBrowser();
  ({ page, record } = await recordingPage(browser));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.[Symbol.asyncDispose]();
});

/** The page's text of every element matching `selector`. */
const texts = (selector: string) => page.$$eval(selector, (els) => els.map((el) => el.textContent ?? ""));

describe("the dashboard in a real browser", () => {
  test("the shell asks for a credential; the demo's job appears on the jobs page, its title as text", async () => {
    const response = await page.goto(`${apiUrl}/ui`);
    const csp = response!.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await page.waitForSelector("#login:not([hidden])");
    await screenshot(page, "sign-in");
    await signIn(page, `${apiUrl}/ui`, fixture.operatorKey);
    const row = `tr[data-job="${jobId}"]`;
    await page.waitForSelector(row);
    const cells = await texts(`${row} td`);
    expect(cells[1]).toBe("succeeded");
    expect(cells[2]).toBe(repo);
    expect(cells[3]).toContain(`#${scenario.jobIssue}`);
    expect(cells[3]).toContain(HOSTILE.trim());
    expect(cells[4]).toBe("key:operator");
    expect(cells[5]).toBe(`#${fixture.harness.github.pulls(repo)[0]!.number}`);
    expect(cells[6]).toMatch(/^\$\d+\.\d{4}$/);
    expect(await page.evaluate("window.pwned")).toBeUndefined();
    expect(await page.$$("main img, main b, main script")).toEqual([]);
    // The credential is in the tab's sessionStorage, never in a URL.
    expect(page.url()).not.toContain(fixture.operatorKey);
    expect(await page.content()).not.toContain(fixture.operatorKey);
    await screenshot(page, "jobs");
  });

  test("keyboard only: from the jobs page to the job's page, its work items and its whole event log", async () => {
    const link = `tr[data-job="${jobId}"] a`;
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      if (await page.$eval(link, (el) => el === el.ownerDocument.activeElement)) break;
    }
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    expect(new URL(page.url()).pathname).toBe(`/ui/jobs/${jobId}`);
    await waitForText(page, "#stream-status", /ended: succeeded/);
    const events = await fetchEvents(apiUrl, jobId, 0, bearer(fixture.operatorKey));
    const seqs = await page.$$eval(
      "#event-log li",
      (els) => els.map((el) => Number(el.getAttribute("data-seq"))),
    );
    expect(seqs).toEqual(events.map((e) => e.seq));
    expect(await texts("#event-log li .message")).toEqual(events.map((e) => e.message));
    await page.waitForSelector("tr[data-issue]");
    const item = await texts(`tr[data-issue="${scenario.jobIssue}"] td`);
    expect(item[1]).toBe("submitted");
    expect(item[3]).toBe(`#${fixture.harness.github.pulls(repo)[0]!.number}`);
    expect(item[4]).toMatch(/^\d+ passed, 0 failed \(exit 0\)$/);
    expect(item[5]).toMatch(/tokens .* model calls/);
    expect(await page.$("button[data-cancel]")).toBeNull();
    expect(await page.evaluate("window.pwned")).toBeUndefined();
    await screenshot(page, "job");
  });

  test("the work item page shows the diff of exactly the files the PR changed, and the criteria mapping", async () => {
    await Promise.all([
      page.waitForNavigation(),
      page.click(`tr[data-issue="${scenario.jobIssue}"] a[href$="/items/${scenario.jobIssue}"]`),
    ]);
    await page.waitForSelector("section.file");
    const github = fixture.harness.github;
    const [pr] = github.pulls(repo);
    const base = github.branchFiles(repo, scenario.repo.defaultBranch)!;
    const head = github.branchFiles(repo, pr!.head)!;
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    const changed = [...head.keys()].filter((p) =>
      !base.has(p) || decode(base.get(p)!) !== decode(head.get(p)!)
    );
    const deleted = [...base.keys()].filter((p) => !head.has(p));
    const shown = await page.$$eval("section.file", (els) => els.map((el) => el.getAttribute("data-path")));
    expect(shown.sort()).toEqual([...changed, ...deleted].sort());
    for (const path of changed.filter((p) => !base.has(p))) {
      const added = await page.$$eval(
        `section.file[data-path="${path}"] .add`,
        (els) => els.map((el) => (el.textContent ?? "").slice(1)),
      );
      expect(added.join("\n")).toBe(decode(head.get(path)!).replace(/\n$/, ""));
    }
    const mapping = (await texts(".criteria"))[0] ?? "";
    const criteria = scenario.issues[0]!.body.split("\n").filter((l) => l.startsWith("- [ ] "))
      .map((l) => l.slice(6).replaceAll("`", ""));
    expect(criteria).toHaveLength(4);
    for (const criterion of criteria) expect(mapping.replace(/\s+/g, " ")).toContain(criterion);
    expect(mapping).toMatch(/Evidence/);
    expect((await texts("details pre.output"))[0]).toMatch(/passed/);
    await screenshot(page, "work-item");
  });

  test("the trajectory page shows every tool call, in order, with its duration and tokens", async () => {
    await Promise.all([page.waitForNavigation(), page.click("main > p > a[href$='/trajectory']")]);
    await page.waitForSelector("article.tool");
    const events = await fetchEvents(apiUrl, jobId, 0, bearer(fixture.operatorKey));
    const tools = events.flatMap((e) => e.kind === "tool" ? [e.data.tool] : []);
    expect(tools.length).toBeGreaterThan(3);
    expect(await page.$$eval("article.tool", (els) => els.map((el) => el.getAttribute("data-tool")))).toEqual(
      tools,
    );
    for (const meta of await texts("article.tool .meta")) {
      expect(meta).toMatch(/^Took [\d.]+ (ms|s) · input ≈ \d+ tokens · result ≈ [\d,]+ tokens$/);
    }
    await screenshot(page, "trajectory");
  });

  test("the environments page lists the cached environment with its size and age", async () => {
    await Promise.all([page.waitForNavigation(), page.click("nav a[href='/ui/environments']")]);
    await page.waitForSelector("table.environments tbody tr");
    // The engine's cache is shared: other repositories' environments may be listed too.
    const rows = await page.$$eval(
      "table.environments tbody tr",
      (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
    );
    const row = rows.find((cells) => cells[0] === repo) ?? [];
    expect(row[0]).toBe(repo);
    expect(row[2]).toMatch(/\d (B|KiB|MiB|GiB)$/);
    expect(row[4]).toMatch(/ago$/);
    await screenshot(page, "environments");
  });

  test("at 800 px wide the job page needs no sideways scrolling", async () => {
    await page.setViewport({ width: 800, height: 900 });
    await page.goto(`${apiUrl}/ui/jobs/${jobId}`);
    await page.waitForSelector("tr[data-issue]");
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(800);
    await screenshot(page, "job-800px");
    await page.setViewport({ width: 1280, height: 900 });
  });

  test("the CSP lets no inline script run, and no page broke it or threw", async () => {
    await page.goto(`${apiUrl}/ui`);
    await page.waitForSelector(`tr[data-job="${jobId}"]`);
    await page.evaluate(`(() => {
      const s = document.createElement("script");
      s.textContent = "window.inlineRan = true";
      document.body.append(s);
      const i = document.createElement("img");
      i.setAttribute("onerror", "window.inlineRan = true");
      i.src = "/nothing-here";
      document.body.append(i);
    })()`);
    await expect.poll(() => record.violations.length).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate("window.inlineRan")).toBeUndefined();
    expect(record.violations.every((v) => /inline/i.test(v))).toBe(true);
    expect(record.errors).toEqual([]);
  });

  test("a key without access to the repository sees none of its jobs", async () => {
    const context = await browser.createBrowserContext();
    try {
      const { page: outsider } = await recordingPage(context);
      await signIn(outsider, `${apiUrl}/ui`, fixture.outsiderKey);
      await waitForText(outsider, "[data-fragment]", /No jobs match/);
      expect(await outsider.content()).not.toContain(jobId);
      await outsider.goto(`${apiUrl}/ui/jobs/${jobId}`);
      await waitForText(outsider, "[data-fragment]", /404: No job with id/);
      await waitForText(outsider, "#stream-status", /404/);
      expect(await outsider.$$("#event-log li")).toEqual([]);
      await outsider.goto(`${apiUrl}/ui/jobs/${jobId}/items/${scenario.jobIssue}/trajectory`);
      await waitForText(outsider, "[data-fragment]", /404: No job with id/);
      expect(await outsider.$$("article.tool")).toEqual([]);
      await screenshot(outsider, "outsider");
    } finally {
      await context.close();
    }
  });
});
