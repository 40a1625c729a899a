import { describe, expect, it } from "vitest";
import { rateLimitWaitMs } from "../../src/agent/rate_limit.ts";

const NOW = Date.parse("2026-12-01T00:00:00Z");

describe("rateLimitWaitMs", () => {
  it("takes retry-after in seconds, or as an HTTP date", () => {
    expect(rateLimitWaitMs(new Headers({ "retry-after": "7" }), NOW)).toBe(7_000);
    expect(rateLimitWaitMs(new Headers({ "retry-after": "Tue, 01 Dec 2026 00:00:30 GMT" }), NOW)).toBe(
      30_000,
    );
    expect(rateLimitWaitMs(new Headers({ "retry-after-ms": "250" }), NOW)).toBe(250);
  });

  it("waits for the reset of each exhausted limit, the longest of them and retry-after", () => {
    const headers = new Headers({
      "retry-after": "3",
      "anthropic-ratelimit-requests-remaining": "12",
      "anthropic-ratelimit-requests-reset": "2026-12-01T00:05:00Z",
      "anthropic-ratelimit-input-tokens-remaining": "0",
      "anthropic-ratelimit-input-tokens-reset": "2026-12-01T00:00:20Z",
      "anthropic-ratelimit-output-tokens-remaining": "0",
      "anthropic-ratelimit-output-tokens-reset": "2026-12-01T00:00:09Z",
    });
    // The requests limit has room left: its later reset is not waited for.
    expect(rateLimitWaitMs(headers, NOW)).toBe(20_000);
  });

  it("is undefined when the response names no wait, and never negative", () => {
    expect(rateLimitWaitMs(new Headers(), NOW)).toBeUndefined();
    expect(rateLimitWaitMs(undefined, NOW)).toBeUndefined();
    expect(rateLimitWaitMs(new Headers({ "retry-after": "Tue, 01 Dec 2026 00:00:00 GMT" }), NOW + 5_000))
      .toBe(0);
  });
});
