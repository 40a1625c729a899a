import { afterAll, beforeAll, expect, test } from "vitest";
import Docker from "dockerode";
import { slowCommandScenario as scenario } from "../../examples/scenarios/misbehaving.ts";
import { fetchEvents, waitForJob } from "../e2e/harness.ts";
import { openBrowser, recordingPage, screenshot, signIn, waitForText } from "./browser.ts";
import { bearer, type DashboardHarness, startDashboardHarness, submitJob } from "./dashboard_fixture.ts";

let fixture: DashboardHarness;
let browser: Awaited<ReturnType<typeof openBrowser>>;

beforeAll(async () => {
  fixture = await startDashboardHarness(scenario);
  browser = await openBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.[Symbol.asyncDispose]();
});

/** The first `count` events of job `id`'s real event stream, as the service sent them; then the connection is cut. */
async function cutStream(url: string, headers: Record<string, string>, count: number): Promise<string> {
  const response = await fetch(url, { headers: { ...headers, accept: "text/event-stream" } });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while ((text.match(/^id: /gm) ?? []).length < count || !text.endsWith("\n\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  return text;
}

test("the job page shows events live while the job runs, resumes after a dropped stream, and cancels it", async () => {
  const { apiUrl } = fixture.harness;
  const auth = bearer(fixture.operatorKey);
  const { page, record } = await recordingPage(browser);
  await signIn(page, `${apiUrl}/ui`, fixture.operatorKey);
  const id = await submitJob(fixture.harness, scenario, fixture.operatorKey);
  // The page's first event stream is cut after two events, as a dropped connection would; every later
  // request goes to the service untouched. Each request's Last-Event-ID is recorded.
  const eventsUrl = `${apiUrl}/v1/jobs/${id}/events`;
  const resumedFrom: Array<string | undefined> = [];
  let cut = false;
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    if (request.url() !== eventsUrl) return void request.continue();
    resumedFrom.push(request.headers()["last-event-id"]);
    if (cut) return void request.continue();
    cut = true;
    cutStream(eventsUrl, auth, 2).then(
      (body) => request.respond({ status: 200, contentType: "text/event-stream", body }),
      () => request.abort(),
    );
  });
  await page.goto(`${apiUrl}/ui/jobs/${id}`);

  // The first events are on the page while the job has not reached its tool call yet.
  await page.waitForSelector("#event-log li");
  const seenFirst = await page.$$eval("#event-log li", (els) => els.length);
  const early = await fetchEvents(apiUrl, id, 0, auth);
  expect(early.some((e) => e.kind === "tool")).toBe(false);
  // Then, without a reload, the command in flight shows up while the job runs.
  await waitForText(page, "#event-log", /time\.sleep\(600\)/);
  expect(await page.$$eval("#event-log li", (els) => els.length)).toBeGreaterThan(seenFirst);
  const running = await (await fetch(`${apiUrl}/v1/jobs/${id}`, { headers: auth })).json();
  expect(running.status).toBe("running");
  await waitForText(page, "[data-job-status] dd", /running/);
  await page.waitForSelector("button[data-cancel]");
  await page.waitForSelector(`tr[data-issue="${scenario.jobIssue}"]`);
  await screenshot(page, "job-running");

  // After the cut, the page asked again from the last event it had, and only then.
  expect(resumedFrom).toEqual([undefined, "2"]);

  await page.click("button[data-cancel]");
  await waitForText(page, "#stream-status", /ended: cancelled/, 60_000);
  const job = await waitForJob(apiUrl, id, { headers: auth, timeoutMs: 60_000 });
  expect(job.status).toBe("cancelled");
  expect(job.reason).toBe("cancelled by key:operator");
  const events = await fetchEvents(apiUrl, id, 0, auth);
  const seqs = await page.$$eval(
    "#event-log li",
    (els) => els.map((el) => Number(el.getAttribute("data-seq"))),
  );
  // Every event once, in order: nothing lost or repeated across the reconnection.
  expect(seqs).toEqual(events.map((e) => e.seq));
  expect(events.at(-1)?.kind).toBe("cancelled");
  const filters = JSON.stringify({ label: [`dev.backend-agent.job=${id}`] });
  expect(await new Docker().listContainers({ all: true, filters })).toEqual([]);
  await waitForText(page, "[data-job-status] dd", /cancelled/);
  expect(await page.$("button[data-cancel]")).toBeNull();
  expect(record.errors).toEqual([]);
  await screenshot(page, "job-cancelled");
});
