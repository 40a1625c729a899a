import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { JobView } from "../../src/api/job_schemas.ts";
import { type ApiFixture, apiFixture, errorOf } from "./api_fixture.ts";

describe("POST /v1/jobs with a follow-up body", () => {
  let api: ApiFixture;
  const submit = (body: unknown, headers: Record<string, string> = {}) =>
    api.call("/v1/jobs", { body, headers });

  beforeEach(() => {
    api = apiFixture();
  });
  afterEach(() => api.store.close());

  test("{repo, pull, instructions} queues a follow-up on the pull request, kept as the job's pull and instructions", async () => {
    const response = await submit({
      repo: "acme/tasks",
      pull: 31,
      instructions: "Return 404 for a missing task",
    });
    expect(response.status).toBe(202);
    const view = await response.json() as JobView;
    expect(view).toMatchObject({
      repo: "acme/tasks",
      issue: 31,
      pull: 31,
      instructions: "Return 404 for a missing task",
    });
    expect(await api.store.get(view.id)).toMatchObject({
      pull: 31,
      instructions: "Return 404 for a missing task",
    });
    expect(api.kicks).toBe(1);
  });

  test("the comment a trigger answers is kept with the job", async () => {
    const comment = { kind: "review_comment", id: 77 };
    const view = await (await submit({ repo: "acme/tasks", pull: 31, instructions: "@bot fix", comment }))
      .json();
    expect((await api.store.get((view as JobView).id))?.comment).toEqual(comment);
  });

  test("a job on an issue carries no follow-up fields", async () => {
    const view = await (await submit({ repo: "acme/tasks", issue: 12 })).json() as JobView;
    const stored = await api.store.get(view.id);
    expect(stored).not.toHaveProperty("pull");
    expect(stored).not.toHaveProperty("instructions");
  });

  test("each malformed follow-up gets 422 naming the field, and nothing is stored", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ repo: "acme/tasks", pull: 31 }, /^instructions: instructions are required with pull/],
      [{ repo: "acme/tasks", pull: 31, instructions: "" }, /^instructions: /],
      [{ repo: "acme/tasks", pull: 0, instructions: "x" }, /^pull: .*positive/],
      [{ repo: "acme/tasks", issue: 12, pull: 31, instructions: "x" }, /^pull: give either issue/],
      [{ repo: "acme/tasks", pull: 31, instructions: "x", base: "main" }, /^base: /],
      [{ repo: "acme/tasks", issue: 12, instructions: "x" }, /^instructions: instructions goes with pull/],
      [
        { repo: "acme/tasks", pull: 31, instructions: "x", comment: { kind: "tweet", id: 1 } },
        /^comment\.kind: /,
      ],
    ];
    for (const [body, message] of cases) {
      const response = await submit(body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect((await errorOf(response)).message).toMatch(message);
    }
    expect(await api.store.claimNext()).toBeUndefined();
  });

  test("the same Idempotency-Key with other instructions is a conflict", async () => {
    const key = { "idempotency-key": "follow-up-1" };
    expect((await submit({ repo: "acme/tasks", pull: 31, instructions: "a" }, key)).status).toBe(202);
    expect((await submit({ repo: "acme/tasks", pull: 31, instructions: "a" }, key)).status).toBe(200);
    expect((await submit({ repo: "acme/tasks", pull: 31, instructions: "b" }, key)).status).toBe(409);
  });
});
