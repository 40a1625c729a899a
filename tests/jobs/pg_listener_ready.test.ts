import { expect, test } from "vitest";
import { listenForJobChanges, ListenNotReadyError } from "../../src/jobs/pg_listener.ts";

test("a LISTEN connection that cannot be opened fails the start in time, naming the cause and the fix", async () => {
  // A loopback port nothing listens on: every connection attempt is refused.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const heard: string[] = [];
  const listener = listenForJobChanges(`postgres://agent:pw-not-shown@127.0.0.1:${port}/agent`, {
    changed: (jobId) => void heard.push(jobId),
    reconnected: () => void heard.push("reconnected"),
  }, { readyTimeoutMs: 500 });
  try {
    const error = await listener.ready.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ListenNotReadyError);
    expect((error as Error).message).toMatch(
      /^cannot LISTEN for job changes on DATABASE_URL within 500 ms \(.*ECONNREFUSED.*\): check that the server answers/,
    );
    expect((error as Error).message).not.toContain("pw-not-shown");
    expect(heard).toEqual([]);
  } finally {
    await listener.close();
  }
});
