import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { JobView } from "../../src/api/job_schemas.ts";
import { NO_USAGE } from "../../src/contracts/usage.ts";
import { jobEvents } from "../../src/pipeline/job_event_builders.ts";
import type { JobEvent } from "../../src/contracts/job_events.ts";
import { ADMIN_KEY, type ApiFixture, apiFixture, errorOf, READER_KEY } from "./api_fixture.ts";

type Page = { jobs: JobView[]; nextCursor: string | null };

describe("jobs API", () => {
  let api: ApiFixture;
  const submit = (body: unknown, headers: Record<string, string> = {}) =>
    api.call("/v1/jobs", { body, headers });

  beforeEach(() => {
    api = apiFixture();
  });
  afterEach(() => api.store.close());

  test("POST /v1/jobs queues the job, answers 202 with its view, and records the verified submitter", async () => {
    const response = await submit({ repo: "acme/tasks", issue: 12, base: "main" });
    expect(response.status).toBe(202);
    const body = await response.json() as JobView;
    expect(body).toMatchObject({ status: "queued", repo: "acme/tasks", issue: 12, submitter: "key:ci" });
    expect(response.headers.get("location")).toBe(`/v1/jobs/${body.id}`);
    expect(api.kicks).toBe(1);
    const stored = await api.store.get(body.id);
    expect(stored).toMatchObject({
      repo: "acme/tasks",
      issue: 12,
      base: "main",
      status: "queued",
      submitter: "key:ci",
    });
    expect(api.audit()).toContainEqual(
      expect.objectContaining({
        event: "job_created",
        principal: "key:ci",
        jobId: body.id,
        repo: "acme/tasks",
      }),
    );
  });

  test("a request without repo gets 422 naming repo, and nothing is stored", async () => {
    const response = await submit({ issue: 12 });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/^repo: /);
    expect(await api.store.claimNext()).toBeUndefined();
    expect(api.kicks).toBe(0);
  });

  test("a request without issue gets 422 naming issue", async () => {
    const response = await submit({ repo: "acme/tasks" });
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toMatch(/^issue: /);
  });

  test("a malformed repo, a non-integer issue and unknown fields (a submitter too) are each named", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ repo: "not a repo", issue: 1 }, /^repo: .*owner\/name/],
      [{ repo: "acme/tasks", issue: 1.5 }, /^issue: .*integer/],
      [{ repo: "acme/tasks", issue: -3 }, /^issue: .*positive/],
      [{ repo: "acme/tasks", issue: 1, submitter: "mallory" }, /submitter/],
    ];
    for (const [body, message] of cases) {
      const response = await submit(body);
      expect(response.status).toBe(422);
      expect((await errorOf(response)).message).toMatch(message);
    }
  });

  test("a body that is not JSON gets 400, one that is not application/json 415, a too large one 413", async () => {
    const notJson = await submit("{nope");
    expect(notJson.status).toBe(400);
    expect((await errorOf(notJson)).code).toBe("invalid_json");
    const text = await submit("repo=acme/tasks", { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    expect((await errorOf(text)).code).toBe("unsupported_media_type");
    const large = await submit({ repo: "acme/tasks", issue: 1, base: "x".repeat(70_000) });
    expect(large.status).toBe(413);
    expect((await errorOf(large)).code).toBe("body_too_large");
  });

  test("the same Idempotency-Key and body return the same job with 200; a different body is a 409", async () => {
    const key = { "idempotency-key": "retry-7f3a" };
    const first = await submit({ repo: "acme/tasks", issue: 7 }, key);
    expect(first.status).toBe(202);
    const { id } = await first.json() as JobView;
    const again = await submit({ repo: "acme/tasks", issue: 7 }, key);
    expect(again.status).toBe(200);
    expect((await again.json() as JobView).id).toBe(id);
    expect(again.headers.get("location")).toBe(`/v1/jobs/${id}`);
    const different = await submit({ repo: "acme/tasks", issue: 8 }, key);
    expect(different.status).toBe(409);
    expect(await errorOf(different)).toMatchObject({ code: "idempotency_conflict" });
    expect(api.kicks).toBe(1);
    expect(api.audit().filter((e) => e.event === "job_created")).toHaveLength(1);
    const page = await (await api.call("/v1/jobs")).json() as Page;
    expect(page.jobs).toHaveLength(1);
  });

  test("an Idempotency-Key is per principal: another caller's same key creates its own job", async () => {
    const key = { "idempotency-key": "shared-key" };
    const mine = await (await submit({ repo: "acme/tasks", issue: 7 }, key)).json() as JobView;
    const theirs = await submit({ repo: "acme/tasks", issue: 7 }, {
      ...key,
      authorization: `Bearer ${ADMIN_KEY}`,
    });
    expect(theirs.status).toBe(202);
    expect((await theirs.json() as JobView).id).not.toBe(mine.id);
  });

  test("an invalid Idempotency-Key is a 422 naming the header", async () => {
    const response = await submit({ repo: "acme/tasks", issue: 7 }, { "idempotency-key": "x".repeat(300) });
    expect(response.status).toBe(422);
    expect((await errorOf(response)).message).toMatch(/^idempotency-key: /);
  });

  test("GET /v1/jobs/{id} shows status, work items, usage (cache writes by TTL), cost and timings; an unknown id is 404", async () => {
    const { id } = await (await submit({ repo: "acme/tasks", issue: 7 })).json() as JobView;
    await api.store.claimNext();
    await api.store.recordUsage(id, 7, {
      inputTokens: 1000,
      outputTokens: 200,
      ephemeral5mInputTokens: 100,
      ephemeral1hInputTokens: 50,
      totalTokens: 1500,
      costUsd: 0.02,
      turns: 2,
    });
    const latest = {
      inputTokens: 2000,
      outputTokens: 400,
      ephemeral5mInputTokens: 300,
      ephemeral1hInputTokens: 200,
      totalTokens: 3000,
      costUsd: 0.04,
      turns: 3,
    };
    await api.store.recordUsage(id, 7, latest);
    await api.store.recordUsage(id, 9, {
      ...NO_USAGE,
      ephemeral1hInputTokens: 400,
      totalTokens: 500,
      costUsd: 0.01,
    });
    const found = await api.call(`/v1/jobs/${id}`);
    expect(found.status).toBe(200);
    const job = await found.json() as JobView;
    expect(job).toMatchObject({ id, status: "running", pullRequests: [], cancelRequested: false });
    expect(job.usage).toEqual({
      inputTokens: 2000,
      outputTokens: 400,
      ephemeral5mInputTokens: 300,
      ephemeral1hInputTokens: 600,
      totalTokens: 3500,
      costUsd: 0.05,
      turns: 3,
    });
    expect(job.workItems.map((w) => w.usage)).toEqual([
      latest,
      { ...NO_USAGE, ephemeral1hInputTokens: 400, totalTokens: 500, costUsd: 0.01 },
    ]);
    expect(job.workItems.map((w) => [w.issue, w.status])).toEqual([[7, "running"], [9, "running"]]);
    expect(job.startedAt).toBeDefined();
    expect(job.timings.queuedMs).toBeGreaterThanOrEqual(0);
    expect(job.timings.runMs).toBeGreaterThanOrEqual(0);
    const missing = await api.call("/v1/jobs/does-not-exist");
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe("job_not_found");
  });

  test("a job outside the caller's repository allowlist is answered as missing", async () => {
    const other = await submit({ repo: "other/tasks", issue: 1 }, { authorization: `Bearer ${ADMIN_KEY}` });
    const { id } = await other.json() as JobView;
    expect((await api.call(`/v1/jobs/${id}`)).status).toBe(404);
    expect((await api.call(`/v1/jobs/${id}/events`)).status).toBe(404);
    expect((await api.call(`/v1/jobs/${id}/cancel`, { method: "POST" })).status).toBe(404);
    const page = await (await api.call("/v1/jobs")).json() as Page;
    expect(page.jobs).toEqual([]);
  });

  test("GET /v1/jobs filters by status and repo and pages with a cursor, newest first", async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const ids: string[] = [];
    for (let issue = 1; issue <= 5; issue++) {
      const repo = issue % 2 === 0 ? "acme/api" : "acme/tasks";
      ids.push((await (await submit({ repo, issue }, admin)).json() as JobView).id);
    }
    await api.store.requestCancel(ids[0]!, "test");
    const first = await (await api.call("/v1/jobs?limit=2")).json() as Page;
    expect(first.jobs.map((j) => j.issue)).toEqual([5, 4]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await (await api.call(`/v1/jobs?limit=2&cursor=${first.nextCursor}`)).json() as Page;
    expect(second.jobs.map((j) => j.issue)).toEqual([3, 2]);
    const third = await (await api.call(`/v1/jobs?limit=2&cursor=${second.nextCursor}`)).json() as Page;
    expect(third.jobs.map((j) => j.issue)).toEqual([1]);
    expect(third.nextCursor).toBeNull();
    const byRepo = await (await api.call("/v1/jobs?repo=ACME/api")).json() as Page;
    expect(byRepo.jobs.map((j) => j.issue)).toEqual([4, 2]);
    const cancelled = await (await api.call("/v1/jobs?status=cancelled")).json() as Page;
    expect(cancelled.jobs.map((j) => j.issue)).toEqual([1]);
    const badStatus = await api.call("/v1/jobs?status=done");
    expect(badStatus.status).toBe(422);
    expect((await errorOf(badStatus)).message).toMatch(/^status: /);
    const badCursor = await api.call("/v1/jobs?cursor=bm9wZQ");
    expect(badCursor.status).toBe(422);
    expect((await errorOf(badCursor)).message).toMatch(/^cursor: /);
    expect((await api.call("/v1/jobs?limit=0")).status).toBe(422);
  });

  test("GET /v1/jobs/{id}/events returns JSON events after a sequence number", async () => {
    const { id } = await (await submit({ repo: "acme/tasks", issue: 7 })).json() as JobView;
    await api.store.appendEvent(id, jobEvents.step("one"));
    await api.store.appendEvent(id, jobEvents.step("two"));
    const response = await api.call(`/v1/jobs/${id}/events?after=1`, { headers: { accept: "*/*" } });
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    const body = await response.json() as { events: JobEvent[] };
    expect(body.events.map((e) => [e.seq, e.message])).toEqual([[2, "two"]]);
    expect(body.events[0]).toMatchObject({ kind: "step", data: {} });
    expect((await api.call(`/v1/jobs/${id}/events?after=-1`)).status).toBe(422);
  });

  test("GET /v1/jobs/{id}/trajectory returns each work item's trajectory", async () => {
    const { id } = await (await submit({ repo: "acme/tasks", issue: 7 })).json() as JobView;
    await api.store.saveTrajectory(id, 7, [{ role: "assistant", text: "hi" }]);
    const response = await api.call(`/v1/jobs/${id}/trajectory`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      jobId: id,
      trajectories: [{ issue: 7, trajectory: [{ role: "assistant", text: "hi" }] }],
    });
  });

  test("cancelling a queued job cancels it at once; a finished one is a 409; a cancelled one stays 200", async () => {
    const { id } = await (await submit({ repo: "acme/tasks", issue: 7 })).json() as JobView;
    const response = await api.call(`/v1/jobs/${id}/cancel`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id, status: "cancelled", reason: "cancelled by key:ci" });
    expect(api.cancels).toEqual([]);
    expect(await api.store.claimNext()).toBeUndefined();
    expect((await api.call(`/v1/jobs/${id}/cancel`, { method: "POST" })).status).toBe(200);
    expect(api.audit()).toContainEqual(
      expect.objectContaining({ event: "job_cancelled", jobId: id, stage: "queued" }),
    );

    const done = await (await submit({ repo: "acme/tasks", issue: 8 })).json() as JobView;
    await api.store.claimNext();
    await api.store.finish(done.id, { status: "succeeded", pullRequests: [] });
    const late = await api.call(`/v1/jobs/${done.id}/cancel`, { method: "POST" });
    expect(late.status).toBe(409);
    expect((await errorOf(late)).code).toBe("job_final");
  });

  test("cancelling a running job asks the worker to abort it and answers 202", async () => {
    const { id } = await (await submit({ repo: "acme/tasks", issue: 7 })).json() as JobView;
    await api.store.claimNext();
    const response = await api.call(`/v1/jobs/${id}/cancel`, { method: "POST" });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: "running", cancelRequested: true });
    expect(api.cancels).toEqual([{ id, reason: "cancelled by key:ci" }]);
  });

  test("a reader may read but not submit or cancel", async () => {
    const reader = { authorization: `Bearer ${READER_KEY}` };
    const { id } = await (await submit({ repo: "acme/tasks", issue: 7 })).json() as JobView;
    expect((await api.call(`/v1/jobs/${id}`, { headers: reader })).status).toBe(200);
    const post = await submit({ repo: "acme/tasks", issue: 7 }, reader);
    expect(post.status).toBe(403);
    expect(await errorOf(post)).toMatchObject({
      code: "forbidden",
      message: "This credential lacks the jobs:write scope",
    });
    expect((await api.call(`/v1/jobs/${id}/cancel`, { method: "POST", headers: reader })).status).toBe(403);
  });

  test("GET /healthz answers; GET /readyz checks Docker and the store", async () => {
    expect(await (await api.app.request("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await api.app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { docker: "ok", store: "ok" } });
    const down = apiFixture({
      pingDocker: () => Promise.reject(new Error("connect ENOENT /var/run/docker.sock")),
    });
    const notReady = await down.app.request("/readyz");
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: "not_ready", checks: { docker: "failed", store: "ok" } });
    down.store.close();
    const closed = apiFixture();
    closed.store.close();
    expect(await (await closed.app.request("/readyz")).json()).toMatchObject({ checks: { store: "failed" } });
  });

  test("the OpenAPI document describes every route and /docs renders it", async () => {
    const document = await (await api.app.request("/openapi.json")).json() as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths).sort()).toEqual([
      "/healthz",
      "/readyz",
      "/v1/environments",
      "/v1/jobs",
      "/v1/jobs/{id}",
      "/v1/jobs/{id}/cancel",
      "/v1/jobs/{id}/events",
      "/v1/jobs/{id}/trajectory",
      "/v1/jobs/{id}/work-items/{issue}/changes",
      "/v1/webhooks/github",
    ]);
    expect(Object.keys(document.paths["/v1/jobs"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["Job", "JobRequest", "JobPage", "JobEvent", "Error", "Usage", "WorkItem"]),
    );
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(["apiKey", "bearer"]);
    const docs = await api.app.request("/docs");
    expect(docs.headers.get("content-type")).toMatch(/text\/html/);
    const html = await docs.text();
    expect(html).toContain("POST /v1/jobs");
    expect(html).toContain("/v1/jobs/{id}/events");
    expect(html).not.toContain("<script");
  });

  test("every response carries a request id and secure headers; an error body repeats the id", async () => {
    const response = await api.call("/v1/jobs/nope", { headers: { "x-request-id": "req-42" } });
    expect(response.headers.get("x-request-id")).toBe("req-42");
    expect(await errorOf(response)).toMatchObject({ code: "job_not_found", requestId: "req-42" });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const generated = await api.app.request("/healthz");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("an unknown route is a JSON 404", async () => {
    const response = await api.app.request("/nowhere");
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("not_found");
  });
});
