/**
 * A job `waiting` for its `[ops]` sub-issues is held like a running one: it shows as `waiting`
 * (listed and filtered), a cancel reaches its worker, a restart recovers it, and it counts
 * against its submitter's running cap.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { JobView } from "../../src/api/job_schemas.ts";
import { type ApiFixture, apiFixture } from "../api/api_fixture.ts";

describe("a waiting job", () => {
  let api: ApiFixture;
  beforeEach(() => {
    api = apiFixture();
  });
  afterEach(() => api.store.close());

  async function waitingJob(issue = 20): Promise<string> {
    const { id } = await (await api.call("/v1/jobs", { body: { repo: "acme/tasks", issue } }))
      .json() as JobView;
    await api.store.claimNext({ id });
    await api.store.setWaiting(id, true);
    return id;
  }

  test("shows `waiting` in the API and in the status filter, and `running` again when it resumes", async () => {
    const id = await waitingJob();
    expect(await (await api.call(`/v1/jobs/${id}`)).json()).toMatchObject({ id, status: "waiting" });
    const page = await (await api.call("/v1/jobs?status=waiting")).json() as { jobs: JobView[] };
    expect(page.jobs.map((j) => j.id)).toEqual([id]);
    await api.store.setWaiting(id, false);
    expect(await api.store.get(id)).toMatchObject({ status: "running" });
  });

  test("only a running job can wait; a queued or final one is left as it is", async () => {
    const { id } = await (await api.call("/v1/jobs", { body: { repo: "acme/tasks", issue: 3 } }))
      .json() as JobView;
    await api.store.setWaiting(id, true);
    expect(await api.store.get(id)).toMatchObject({ status: "queued" });
    await api.store.claimNext({ id });
    await api.store.finish(id, { status: "succeeded", pullRequests: [] });
    await api.store.setWaiting(id, true);
    expect(await api.store.get(id)).toMatchObject({ status: "succeeded" });
  });

  test("a cancel asks its worker to stop it (202), and it then ends `cancelled`", async () => {
    const id = await waitingJob();
    const response = await api.call(`/v1/jobs/${id}/cancel`, { method: "POST" });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: "waiting", cancelRequested: true });
    expect(api.cancels).toEqual([{ id, reason: "cancelled by key:ci" }]);
    await api.store.finish(id, { status: "cancelled", reason: "cancelled by key:ci", pullRequests: [] });
    expect(await api.store.get(id)).toMatchObject({ status: "cancelled" });
  });

  test("a restart fails it as interrupted, or requeues it", async () => {
    const failed = await waitingJob(20);
    const requeued = await waitingJob(21);
    await api.store.setWaiting(requeued, false);
    await api.store.setWaiting(requeued, true);
    const recovered = await api.store.recoverInterrupted({ requeue: false });
    expect(recovered.map((j) => `${j.id} ${j.status}`).sort()).toEqual(
      [`${failed} failed`, `${requeued} failed`].sort(),
    );
    const again = await waitingJob(22);
    expect((await api.store.recoverInterrupted({ requeue: true })).map((j) => [j.id, j.status])).toEqual([
      [again, "queued"],
    ]);
  });

  test("it counts against its submitter's running cap", async () => {
    await waitingJob(20);
    await api.call("/v1/jobs", { body: { repo: "acme/tasks", issue: 21 } });
    expect(await api.store.claimNext({ maxRunningPerSubmitter: 1 })).toBeUndefined();
    expect(await api.store.claimNext({ maxRunningPerSubmitter: 2 })).toMatchObject({ issue: 21 });
  });
});
