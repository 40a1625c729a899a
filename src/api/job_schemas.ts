/** Response schemas of the jobs API (the OpenAPI document is generated from them) and the job view. */
import { z } from "@hono/zod-openapi";
import { testSummarySchema } from "../contracts/test_run.ts";
import { recordedUsageSchema } from "../contracts/usage.ts";
import { type Job, JOB_STATUSES } from "../jobs/job.ts";
import { jobEventSchema as storedJobEventSchema } from "../jobs/job_events.ts";

const usageSchema = z.object(recordedUsageSchema.shape).openapi("Usage");

const pullRequestSchema = z.object({
  issue: z.number().int(),
  number: z.number().int(),
  url: z.string(),
}).openapi("PullRequest");

const workItemSchema = z.object({
  issue: z.number().int(),
  title: z.string().optional(),
  status: z.string().openapi({
    description: "`running`, or how it ended: `submitted`, `tests_failed`, `budget_exceeded`, `cancelled`, …",
  }),
  reason: z.string().optional(),
  pullRequest: pullRequestSchema.optional(),
  usage: usageSchema,
  tests: testSummarySchema.optional(),
}).openapi("WorkItem");

/** A job as the API shows it. */
export const jobViewSchema = z.object({
  id: z.string(),
  repo: z.string(),
  issue: z.number().int(),
  base: z.string().optional(),
  status: z.enum(JOB_STATUSES),
  reason: z.string().optional().openapi({ description: "Why it failed or was cancelled." }),
  submitter: z.string().optional().openapi({ description: "The verified principal that submitted it." }),
  cancelRequested: z.boolean(),
  pullRequests: z.array(pullRequestSchema),
  workItems: z.array(workItemSchema),
  usage: usageSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  timings: z.object({
    queuedMs: z.number().int().openapi({ description: "Time waiting in the queue (so far)." }),
    runMs: z.number().int().optional().openapi({ description: "Time running (so far)." }),
  }),
}).openapi("Job");

/** The job view. */
export type JobView = z.infer<typeof jobViewSchema>;

/** A page of `GET /v1/jobs`. */
export const jobPageSchema = z.object({
  jobs: z.array(jobViewSchema),
  nextCursor: z.string().nullable().openapi({
    description: "Pass as `cursor` for the next page; null on the last.",
  }),
}).openapi("JobPage");

// The event contract is built before `@hono/zod-openapi` extends zod, so its schemas are cloned to be named.
/** Each kind of event, named `<Kind>Event` in the OpenAPI document (`StepEvent`, `NotCommittedEvent`, …). */
const eventKinds = storedJobEventSchema.def.right.options.map((kind) =>
  kind.clone().openapi(
    `${kind.shape.kind.value.split("_").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")}Event`,
  )
);

/** One progress event: `kind` says which `data` it carries; `message` says the same in words. */
export const jobEventSchema = z.intersection(
  storedJobEventSchema.def.left.clone(),
  z.discriminatedUnion("kind", eventKinds as [(typeof eventKinds)[number], ...typeof eventKinds]),
).openapi("JobEvent", {
  description: "A progress event. Read `data` (its shape depends on `kind`); `message` is for people.",
});

/** The JSON form of `GET /v1/jobs/{id}/events`. */
export const eventsPageSchema = z.object({ events: z.array(jobEventSchema) }).openapi("JobEvents");

/** `GET /v1/jobs/{id}/trajectory`. */
export const trajectoriesSchema = z.object({
  jobId: z.string(),
  trajectories: z.array(z.object({
    issue: z.number().int(),
    trajectory: z.unknown().openapi({ description: "The agent's turns and tool calls for this work item." }),
  })),
}).openapi("Trajectories");

/** `{"error":{"code","message","requestId"}}`. */
export const errorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: "invalid_request" }),
    message: z.string(),
    requestId: z.string().optional(),
  }),
}).openapi("Error");

/** The view of `job` at `now`. */
export function toJobView(job: Job, now: Date): JobView {
  const ms = (iso: string | undefined) => iso === undefined ? undefined : Date.parse(iso);
  const created = ms(job.createdAt)!;
  const started = ms(job.startedAt);
  const finished = ms(job.finishedAt) ?? now.getTime();
  return {
    ...job,
    timings: {
      queuedMs: Math.max(0, (started ?? (job.finishedAt ? finished : now.getTime())) - created),
      ...(started !== undefined ? { runMs: Math.max(0, finished - started) } : {}),
    },
  };
}
