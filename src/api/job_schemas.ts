/** Response schemas of the jobs API (the OpenAPI document is generated from them) and the job view. */
import { z } from "@hono/zod-openapi";
import { recordedUsageSchema } from "../contracts/usage.ts";
import {
  type Job,
  jobSchema,
  pullRequestRefSchema,
  workItemSchema as contractWorkItemSchema,
} from "../contracts/job.ts";
import { jobEventSchema as storedJobEventSchema } from "../contracts/job_events.ts";

// The job contract is built before `@hono/zod-openapi` extends zod, so its schemas are cloned to be named.
const usageSchema = recordedUsageSchema.clone().openapi("Usage");
const pullRequestSchema = pullRequestRefSchema.clone().openapi("PullRequest");
const workItemSchema = contractWorkItemSchema.extend({
  pullRequest: pullRequestSchema.optional(),
  usage: usageSchema,
}).openapi("WorkItem");

/** A job as the API shows it: the stored job ({@link jobSchema}) and its timings. */
export const jobViewSchema = jobSchema.extend({
  pullRequests: z.array(pullRequestSchema),
  workItems: z.array(workItemSchema),
  usage: usageSchema,
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

// Cloned to be named, as above.
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
    quota: z.object({
      setting: z.string().openapi({
        description: "The setting holding the limit.",
        example: "QUOTA_MAX_QUEUED",
      }),
      limit: z.number().openapi({ description: "The limit: jobs, streams, or dollars per UTC day." }),
      used: z.number().openapi({ description: "What the caller holds now, in the same unit." }),
      retryAfterSeconds: z.number().int().openapi({ description: "The `Retry-After` header's value." }),
    }).optional().openapi({ description: "On `quota_exceeded` (429): which per-caller limit was reached." }),
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
