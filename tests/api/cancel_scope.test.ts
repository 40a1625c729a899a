import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { JobView } from "../../src/api/job_schemas.ts";
import { type ApiFixture, apiFixture, errorOf, OPS_KEY, OTHER_KEY } from "./api_fixture.ts";

describe("cancelling another submitter's job needs jobs:admin", () => {
  let api: ApiFixture;
  beforeEach(() => {
    api = apiFixture();
  });
  afterEach(() => api.store.close());

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const submitAsCi = async (issue: number) =>
    (await (await api.call("/v1/jobs", { body: { repo: "acme/tasks", issue } })).json() as JobView).id;

  test("a second key on the same repositories sees the job but may not cancel it", async () => {
    const id = await submitAsCi(1);
    expect((await api.call(`/v1/jobs/${id}`, { headers: as(OTHER_KEY) })).status).toBe(200);
    const response = await api.call(`/v1/jobs/${id}/cancel`, { method: "POST", headers: as(OTHER_KEY) });
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({
      code: "forbidden",
      message: "Only the job's submitter, or a credential with the jobs:admin scope, may cancel it",
    });
    expect(await api.store.get(id)).toMatchObject({ status: "queued", cancelRequested: false });
    expect(api.audit().at(-1)).toMatchObject({
      event: "access_denied",
      principal: "key:other",
      reason: `job ${id} was submitted by key:ci; missing scope jobs:admin`,
    });
    // Running jobs too: the worker is never asked.
    const running = await submitAsCi(2);
    await api.store.claimNext({ id: running });
    const stop = await api.call(`/v1/jobs/${running}/cancel`, { method: "POST", headers: as(OTHER_KEY) });
    expect(stop.status).toBe(403);
    expect(api.cancels).toEqual([]);
  });

  test("the submitter cancels its own job; a jobs:admin key cancels anyone's within its repositories", async () => {
    const own = await submitAsCi(1);
    expect((await api.call(`/v1/jobs/${own}/cancel`, { method: "POST" })).status).toBe(200);
    const theirs = await submitAsCi(2);
    const response = await api.call(`/v1/jobs/${theirs}/cancel`, { method: "POST", headers: as(OPS_KEY) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "cancelled", reason: "cancelled by key:ops" });
    expect(api.audit().at(-1)).toMatchObject({
      event: "job_cancelled",
      principal: "key:ops",
      jobId: theirs,
      submitter: "key:ci",
      stage: "queued",
    });
    // jobs:admin brings jobs:read and jobs:write, not other repositories.
    expect(
      (await api.call("/v1/jobs", { body: { repo: "acme/web", issue: 3 }, headers: as(OPS_KEY) })).status,
    )
      .toBe(202);
    const elsewhere = await api.store.create({ repo: "globex/web", issue: 1, submitter: "key:root" });
    const hidden = await api.call(`/v1/jobs/${elsewhere.id}/cancel`, {
      method: "POST",
      headers: as(OPS_KEY),
    });
    expect(hidden.status).toBe(404);
  });
});
