import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { configureLogging, logger } from "../src/logging.ts";

let lines: string[] = [];
beforeEach(() => {
  configureLogging();
  lines = [];
  vi.spyOn(console, "error").mockImplementation((line: unknown) => {
    lines.push(String(line));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** `lines`, each with its `@timestamp` checked to be an ISO time and then fixed, to compare them exactly. */
const fixedTimes = () =>
  lines.map((line) => {
    const timestamp = JSON.parse(line)["@timestamp"] as string;
    expect(new Date(timestamp).toISOString()).toBe(timestamp);
    return line.replace(timestamp, "T");
  });

test("a log line's message shows its values plain, while its properties keep their JSON types", () => {
  logger("service").info("listening on http://{hostname}:{port}", { hostname: "127.0.0.1", port: 8080 });
  expect(fixedTimes()).toEqual([
    '{"@timestamp":"T","level":"INFO","message":"listening on http://127.0.0.1:8080",' +
    '"logger":"backend-agent.service","properties":{"hostname":"127.0.0.1","port":8080}}',
  ]);
});

test("lists show their items, objects their JSON; a value's quotes and line breaks stay inside the one JSON line", () => {
  logger("jobs").warn("released {jobs} of {replica} {where}: {reason}", {
    jobs: ["job-1", "job-2"],
    replica: { id: "r-1" },
    where: null,
    reason: 'a "quoted"\nsecond line',
  });
  expect(fixedTimes()).toEqual([
    '{"@timestamp":"T","level":"WARN",' +
    '"message":"released job-1, job-2 of {\\"id\\":\\"r-1\\"} null: a \\"quoted\\"\\nsecond line",' +
    '"logger":"backend-agent.jobs","properties":{"jobs":["job-1","job-2"],"replica":{"id":"r-1"},' +
    '"where":null,"reason":"a \\"quoted\\"\\nsecond line"}}',
  ]);
});

test("an error in a message shows its message", () => {
  logger("worker").error("job failed: {error}", { error: new Error("lease lost") });
  expect(JSON.parse(lines[0]!).message).toBe("job failed: lease lost");
});
