import { describe, expect, test } from "vitest";
import { IssueWakeups } from "../../src/jobs/issue_wakeups.ts";

const OPS = [{ repo: "acme/tasks", number: 22 }];
const HOUR = 3_600_000;

describe("IssueWakeups", () => {
  test("issues.closed for a waited-on issue wakes the wait; another issue's does not", async () => {
    const wakeups = new IssueWakeups();
    const controller = new AbortController();
    const other = wakeups.wait([{ repo: "acme/tasks", number: 9 }], {
      timeoutMs: HOUR,
      since: 0,
      signal: controller.signal,
    });
    const wait = wakeups.wait(OPS, { timeoutMs: HOUR, since: wakeups.mark() });
    expect(wakeups.issueClosed("acme/tasks", 21)).toBe(0);
    expect(wakeups.issueClosed("acme/other", 22)).toBe(0);
    expect(wakeups.issueClosed("Acme/Tasks", 22)).toBe(1);
    expect(await wait).toBe("woken");
    controller.abort();
    expect(await other).toBe("aborted");
    expect(wakeups.waiting()).toBe(0);
  });

  test("a close between the mark and the wait is not missed; one before the mark does not count", async () => {
    const wakeups = new IssueWakeups();
    wakeups.issueClosed("acme/tasks", 22);
    const since = wakeups.mark();
    expect(await wakeups.wait(OPS, { timeoutMs: 1, since })).toBe("timeout");
    wakeups.issueClosed("acme/tasks", 22);
    expect(await wakeups.wait(OPS, { timeoutMs: HOUR, since })).toBe("woken");
  });

  test("an aborted signal ends the wait at once, and nothing stays registered", async () => {
    const wakeups = new IssueWakeups();
    const controller = new AbortController();
    controller.abort();
    expect(await wakeups.wait(OPS, { timeoutMs: HOUR, since: 0, signal: controller.signal })).toBe("aborted");
    expect(wakeups.waiting()).toBe(0);
  });
});
