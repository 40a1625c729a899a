import { describe, expect, it } from "vitest";
import { sleepUnlessAborted } from "../src/sleep_unless_aborted.ts";

describe("sleepUnlessAborted", () => {
  it("ends early with false when the signal aborts, and at once when it already has", async () => {
    const controller = new AbortController();
    const sleeping = sleepUnlessAborted(60_000, controller.signal);
    controller.abort();
    expect(await sleeping).toBe(false);
    expect(await sleepUnlessAborted(60_000, controller.signal)).toBe(false);
    expect(await sleepUnlessAborted(1, undefined)).toBe(true);
  });
});
