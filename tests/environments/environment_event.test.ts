/** The `environment` job event: its data is the progress, its message says the same in words. */
import { expect, test } from "vitest";
import type { EnvironmentResult } from "../../src/contracts/environment.ts";
import { workItemEvents } from "../../src/pipeline/job_event_builders.ts";
import { newJobEventSchema } from "../../src/contracts/job_events.ts";

const key = "ab12" + "0".repeat(60);
const now = Date.parse("2026-01-02T12:00:00Z");
const result: EnvironmentResult = {
  key,
  image: `backend-agent/env:${key}`,
  cacheHit: true,
  builtAt: "2026-01-02T10:00:00.000Z",
  packages: 14,
  egress: [],
  elapsedMs: 3,
};
const events = workItemEvents(7);

test("a cache hit, a build and nothing to install read as the issue asks", () => {
  const hit = events.environment({ phase: "cache_hit", result }, now);
  expect(hit.message).toBe("#7: environment: cache hit env:ab12… (built 2 h ago, 14 packages)");
  expect(hit.data).toEqual({ issue: 7, phase: "cache_hit", key, result });
  const building = events.environment({
    phase: "building",
    key,
    sources: ["requirements.txt", "pyproject.toml"],
    allowlist: ["files.pythonhosted.org", "pypi.org"],
  }, now);
  expect(building.message).toBe(
    "#7: environment: installing from requirements.txt, pyproject.toml through the egress proxy " +
      "(files.pythonhosted.org, pypi.org)",
  );
  const built = events.environment({
    phase: "built",
    result: {
      ...result,
      cacheHit: false,
      elapsedMs: 12_345,
      egress: [
        { host: "pypi.org", method: "CONNECT", allowed: true, bytes: null },
        { host: "evil.example", method: "CONNECT", allowed: false, bytes: null },
      ],
    },
  }, now);
  expect(built.message).toBe(
    "#7: environment: built env:ab12… in 12.3 s (14 packages; 2 requests through the egress proxy, 1 refused)",
  );
  expect(events.environment({ phase: "base", result: { ...result, cacheHit: false } }, now).message).toBe(
    "#7: environment: nothing to install; the base image as it is",
  );
  for (const event of [hit, building, built]) expect(newJobEventSchema.parse(event)).toEqual(event);
});

test("a failure carries setup's last lines and egress log in its data, its reason in the message", () => {
  const failed = events.environment({
    phase: "failed",
    key,
    failure: "failed",
    reason: "setup exited 1: ERROR: No matching distribution found for nope==1",
    output:
      "Looking in indexes: http://[redacted]@index/simple\nERROR: No matching distribution found for nope==1",
    egress: [{ host: "index", method: "GET", allowed: true, bytes: null }],
    elapsedMs: 2_100,
  }, now);
  expect(failed.message).toBe(
    "#7: environment: failed after 2.1 s: setup exited 1: ERROR: No matching distribution found for nope==1",
  );
  expect(failed.data).toMatchObject({ phase: "failed", failure: "failed", elapsedMs: 2_100 });
  expect(newJobEventSchema.parse(failed)).toEqual(failed);
});
