import { describe, expect, test } from "vitest";
import { NO_AUDIT } from "../../src/audit.ts";
import { jobEvents } from "../../src/pipeline/job_event_builders.ts";
import { openSqliteStore } from "../../src/jobs/sqlite_store.ts";
import { LABELS } from "../../src/sandbox/limits.ts";
import { docker, newSandbox, testLimits } from "../sandbox/sandbox_fixture.ts";
import { holdingPipeline } from "./holding_pipeline.ts";
import { serviceUnderTest } from "./service_fixture.ts";

describe("the service around its worker", () => {
  const fixture = serviceUnderTest();
  const { config } = fixture;

  /** Leaves a job `running` in the database, as a killed process would. */
  const leaveRunningJob = async () => {
    const dead = openSqliteStore(`${fixture.dir}/jobs.sqlite`, { idempotencyTtlMs: 86_400_000 });
    const job = await dead.create({ repo: "acme/tasks", issue: 1, submitter: "key:ci" });
    await dead.claimNext();
    await dead.appendEvent(job.id, jobEvents.step("started acme/tasks#1"));
    dead.close();
    return job.id;
  };

  test("on start-up a job left running by a dead process is marked failed with reason interrupted", async () => {
    const id = await leaveRunningJob();
    const held = holdingPipeline();
    const service = await fixture.start(config(), { pipeline: held.pipeline, audit: NO_AUDIT });
    const job = await service.store.get(id);
    expect(job).toMatchObject({ status: "failed", reason: expect.stringMatching(/^interrupted: /) });
    expect((await service.store.listEvents(id)).map((e) => [e.seq, e.kind])).toEqual([[1, "step"], [
      2,
      "error",
    ]]);
    expect(held.maxActive).toBe(0);
  });

  test("on start-up the sandbox of a job left running is removed at once, however young", async () => {
    const id = await leaveRunningJob();
    const orphan = await newSandbox({ "README.md": "left behind\n" }, {}, { [LABELS.job]: id });
    const bystander = await newSandbox();
    try {
      const service = await fixture.start(config({ SANDBOX_IMAGE: testLimits().image }), { audit: NO_AUDIT });
      const filters = (label: string) => JSON.stringify({ label: [label] });
      expect(await docker.listContainers({ all: true, filters: filters(`${LABELS.job}=${id}`) })).toEqual([]);
      expect((await docker.listVolumes({ filters: filters(`${LABELS.job}=${id}`) })).Volumes ?? []).toEqual(
        [],
      );
      expect((await bystander.run(["true"])).exitCode).toBe(0);
      expect(await service.store.get(id)).toMatchObject({ status: "failed" });
    } finally {
      await orphan.dispose();
      await bystander.dispose();
    }
  });

  test("with JOBS_REQUEUE_INTERRUPTED=true it goes back in the queue and runs again", async () => {
    const id = await leaveRunningJob();
    const held = holdingPipeline();
    const service = await fixture.start(config({ JOBS_REQUEUE_INTERRUPTED: "true" }), {
      pipeline: held.pipeline,
      audit: NO_AUDIT,
    });
    await held.whenActive(1);
    expect([...held.active]).toEqual([id]);
    held.release(id);
    await service.worker.idle();
    expect(await service.store.get(id)).toMatchObject({ status: "succeeded" });
  });

  test("POST /v1/jobs/{id}/cancel stops a running job's pipeline and the job ends cancelled", async () => {
    const held = holdingPipeline();
    const service = await fixture.start(config({ JOBS_CONCURRENCY: "2" }), {
      pipeline: held.pipeline,
      audit: NO_AUDIT,
    });
    const post = await service.app.request("/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ repo: "acme/tasks", issue: 5 }),
    });
    const { id } = await post.json() as { id: string };
    await held.whenActive(1);
    const started = Date.now();
    const cancel = await service.app.request(`/v1/jobs/${id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(202);
    let job: Record<string, unknown> = {};
    while (job.status !== "cancelled" && Date.now() - started < 5_000) {
      await new Promise((r) => setTimeout(r, 10));
      job = await (await service.app.request(`/v1/jobs/${id}`)).json() as Record<string, unknown>;
    }
    expect(job).toMatchObject({ status: "cancelled", reason: "cancelled by anonymous" });
    // The held pipeline was never released: it ended because the cancel aborted its signal.
    expect(held.active.has(id)).toBe(false);
    expect(held.aborted.get(id)).toBe("cancelled by anonymous");
  });

  test("a job runs at most JOB_DEADLINE_MS", async () => {
    const held = holdingPipeline();
    const service = await fixture.start(config({ JOB_DEADLINE_MS: "100" }), {
      pipeline: held.pipeline,
      audit: NO_AUDIT,
    });
    const job = await service.store.create({ repo: "acme/tasks", issue: 1 });
    service.worker.kick();
    await service.worker.idle();
    expect(await service.store.get(job.id)).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/^deadline_exceeded/),
    });
  });
});
