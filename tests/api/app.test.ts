import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createApp } from "../../src/api/app.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import type { JobStore } from "../../src/jobs/store.ts";

describe("jobs API", () => {
  let store: JobStore;
  let queued = 0;
  const post = (body: unknown) =>
    createApp({ store, onJobQueued: () => queued++ }).request("/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  beforeEach(() => {
    store = openSqliteStore(":memory:");
    queued = 0;
  });
  afterEach(() => store.close());

  test("POST /v1/jobs queues the job and answers 202 with its id", async () => {
    const response = await post({ repo: "acme/tasks", issue: 12, base: "main" });
    expect(response.status).toBe(202);
    const body = await response.json() as { id: string; status: string };
    expect(body.status).toBe("queued");
    expect(response.headers.get("location")).toBe(`/v1/jobs/${body.id}`);
    expect(queued).toBe(1);
    const stored = await store.get(body.id);
    expect(stored).toMatchObject({ repo: "acme/tasks", issue: 12, base: "main", status: "queued" });
  });

  test("a request without repo gets 422 naming repo, and nothing is stored", async () => {
    const response = await post({ issue: 12 });
    expect(response.status).toBe(422);
    const body = await response.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toMatch(/^repo: /);
    expect(await store.claimNext()).toBeUndefined();
    expect(queued).toBe(0);
  });

  test("a request without issue gets 422 naming issue", async () => {
    const response = await post({ repo: "acme/tasks" });
    expect(response.status).toBe(422);
    expect((await response.json() as { error: { message: string } }).error.message).toMatch(/^issue: /);
  });

  test("a malformed repo, a non-integer issue and unknown fields are each named", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ repo: "not a repo", issue: 1 }, /^repo: .*owner\/name/],
      [{ repo: "acme/tasks", issue: 1.5 }, /^issue: .*integer/],
      [{ repo: "acme/tasks", issue: -3 }, /^issue: .*positive/],
      [{ repo: "acme/tasks", issue: 1, submitter: "mallory" }, /submitter/],
    ];
    for (const [body, message] of cases) {
      const response = await post(body);
      expect(response.status).toBe(422);
      expect((await response.json() as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  test("a body that is not JSON gets 400", async () => {
    const response = await post("{nope");
    expect(response.status).toBe(400);
    expect((await response.json() as { error: { code: string } }).error.code).toBe("invalid_json");
  });

  test("GET /v1/jobs/{id} returns the job; an unknown id is 404", async () => {
    const { id } = await (await post({ repo: "acme/tasks", issue: 7 })).json() as { id: string };
    const app = createApp({ store, onJobQueued: () => {} });
    const found = await app.request(`/v1/jobs/${id}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ id, status: "queued", pullRequests: [] });
    const missing = await app.request("/v1/jobs/does-not-exist");
    expect(missing.status).toBe(404);
    expect((await missing.json() as { error: { code: string } }).error.code).toBe("job_not_found");
  });

  test("GET /v1/jobs/{id}/events returns events after a sequence number", async () => {
    const { id } = await (await post({ repo: "acme/tasks", issue: 7 })).json() as { id: string };
    await store.appendEvent(id, { kind: "step", message: "one" });
    await store.appendEvent(id, { kind: "step", message: "two" });
    const app = createApp({ store, onJobQueued: () => {} });
    const response = await app.request(`/v1/jobs/${id}/events?after=1`);
    const body = await response.json() as { events: Array<{ seq: number; message: string }> };
    expect(body.events.map((e) => [e.seq, e.message])).toEqual([[2, "two"]]);
  });
});
