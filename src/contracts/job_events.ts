/**
 * The job event contract: what a job's progress log records, as one zod schema per kind with its
 * structured data; the types are inferred from them. `message` is for people and `data` for
 * programs (the CLI, the demo, clients of `GET /v1/jobs/{id}/events`): read the data, never parse
 * the message. Events are written through `job_event_log.ts`, stored by the job store and served
 * as JSON and Server-Sent Events.
 */
import { z } from "zod";
import { testSummarySchema } from "./test_run.ts";
import { callUsageSchema, recordedUsageSchema } from "./usage.ts";
import { recoverySchema } from "./model_recovery.ts";
import { egressEntrySchema, environmentResultSchema } from "./environment.ts";

const count = z.number().int().nonnegative();
const workItem = z.number().int().positive().describe("The work item: its `[dev]` issue number.");

/** The schema of events of `kind` whose `data` has `shape`. */
function eventSchema<K extends string, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.object({ kind: z.literal(kind), message: z.string(), data: z.object(shape) });
}

/** Progress in words, about the job or (with `issue`) one work item. */
export const stepEventSchema = eventSchema("step", {
  issue: workItem.optional(),
  legacyKind: z.string().optional().describe(
    "Only on events stored before events had data, whose kind needs data: the kind they had.",
  ),
});

/** The `[dev]` work items the job's issue resolved to, in the order they run. */
export const workItemsEventSchema = eventSchema("work_items", {
  issues: z.array(workItem),
  parent: z.number().int().positive().optional().describe("The parent issue they are sub-issues of."),
});

/**
 * The parent issue puts `[ops]` first: its `[dev]` work items wait while the `open` `[ops]`
 * sub-issues are not closed; `open` is empty when the last one closed and the job resumes.
 */
export const waitingEventSchema = eventSchema("waiting", {
  parent: z.number().int().positive().describe("The parent issue that sets the order."),
  open: z.array(z.object({
    repo: z.string().describe("`owner/name` of the `[ops]` sub-issue."),
    number: z.number().int().positive(),
    title: z.string(),
    url: z.string(),
  })).describe("The `[ops]` sub-issues still open; empty: every one is closed, the job resumes."),
});

/** An issue that is not worked on (closed, or in another repository), and why. */
export const skippedEventSchema = eventSchema("skipped", {
  issue: z.number().int().positive(),
  repo: z.string().describe("`owner/name` of the skipped issue."),
  reason: z.string(),
});

/** The base snapshot the sandboxes are seeded with. */
export const snapshotEventSchema = eventSchema("snapshot", {
  files: count.describe("Files in the base tree."),
  bytes: count.describe("Size of the seed archive."),
  fetched: count.describe("Files fetched as blobs because the tarball left them out or changed them."),
  guidance: z.array(z.string()).describe("Repository guidance files read (paths)."),
});

/** A work item's sandbox is being started. */
export const sandboxEventSchema = eventSchema("sandbox", {
  issue: workItem,
  name: z.string(),
  criteria: count.nullable().describe("Acceptance criteria parsed from the issue; null when unparsable."),
  host: z.string().optional().describe(
    "The Docker host it runs on (one of DOCKER_HOSTS); absent with one engine.",
  ),
});

/**
 * A work item's environment: nothing to install (`base`), found in the cache (`cache_hit`), setup
 * starting (`building`) and ending (`built`, `failed`). Setup's output and egress log come with a
 * failure; a success's egress log is in `result`.
 */
export const environmentEventSchema = eventSchema("environment", {
  issue: workItem,
  phase: z.enum(["base", "cache_hit", "building", "built", "failed"]),
  key: z.string().describe("The cache key (SHA-256 hex)."),
  result: environmentResultSchema.optional().describe("The environment (base, cache_hit, built)."),
  sources: z.array(z.string()).optional().describe("What setup installs from (building)."),
  allowlist: z.array(z.string()).optional().describe("The hosts the egress proxy allows (building)."),
  failure: z.enum(["failed", "timeout", "leaked"]).optional().describe("Why setup failed (failed)."),
  output: z.string().optional().describe("The last lines setup printed, credentials redacted (failed)."),
  egress: z.array(egressEntrySchema).optional().describe("What setup asked the egress proxy for (failed)."),
  elapsedMs: count.optional().describe("How long setup ran (failed)."),
});

/** The model called a tool. */
export const toolEventSchema = eventSchema("tool", {
  issue: workItem,
  turn: count,
  tool: z.string(),
  summary: z.string().describe("What the call does, e.g. `bash: pytest -q` (at most 120 characters)."),
});

/**
 * A model call ended: the work item's usage so far (running totals), and the call's own figures:
 * projected before it (worst case) and reported by the API.
 */
export const usageEventSchema = eventSchema("usage", {
  issue: workItem,
  turn: count,
  ...recordedUsageSchema.omit({ turns: true }).shape,
  call: callUsageSchema.optional().describe(
    "This call: projected before it, and actual (absent on older events).",
  ),
});

/**
 * The agent loop got past a hard case of the model API without ending the work item: a tool call cut
 * off at `max_tokens` (retried with more, or the model asked to split it), a context-window overflow
 * (compacted), a request over the byte limit (a tool output cut), a rate limit (waited out).
 */
export const modelRecoveryEventSchema = eventSchema("model_recovery", {
  issue: workItem,
  ...recoverySchema.shape,
});

/** The repository's tests ran in the sandbox. */
export const testEventSchema = eventSchema("test", { issue: workItem, ...testSummarySchema.shape });

/** Paths of the change set that are not committed, each with why. */
export const notCommittedEventSchema = eventSchema("not_committed", {
  issue: workItem,
  paths: z.array(z.object({ path: z.string(), reason: z.string() })),
});

/** A pull request was opened (or the service's own earlier one updated). */
export const pullRequestEventSchema = eventSchema("pr", {
  issue: workItem,
  number: z.number().int().positive(),
  url: z.string(),
  draft: z.boolean().describe("Asked for as a draft."),
  testsFailing: z.boolean().describe("A draft because the tests still fail."),
});

/** Something failed: the job (no `issue`) or one work item. */
export const errorEventSchema = eventSchema("error", { issue: workItem.optional() });

/**
 * The job goes back in the queue to run again (`JOBS_HOST_RETRIES`): a work item's Docker host
 * stopped answering under it. The retry runs on a host that answers, on the same branches and pull
 * requests.
 */
export const retryEventSchema = eventSchema("retry", {
  retry: z.number().int().positive().describe("Which retry this is: 1, 2, …"),
  maxRetries: count.describe("Retries allowed (`JOBS_HOST_RETRIES`)."),
  reason: z.string().describe("What the attempt lost, e.g. the Docker host that stopped answering."),
});

/** The job succeeded. */
export const doneEventSchema = eventSchema("done", {
  status: z.literal("succeeded"),
  reason: z.string().optional(),
});

/** The job was cancelled. */
export const cancelledEventSchema = eventSchema("cancelled", {
  status: z.literal("cancelled"),
  reason: z.string(),
});

/** An event as it is written: `kind`, `message` and the kind's `data`. */
export const newJobEventSchema = z.discriminatedUnion("kind", [
  stepEventSchema,
  workItemsEventSchema,
  waitingEventSchema,
  skippedEventSchema,
  snapshotEventSchema,
  sandboxEventSchema,
  environmentEventSchema,
  toolEventSchema,
  usageEventSchema,
  modelRecoveryEventSchema,
  testEventSchema,
  notCommittedEventSchema,
  pullRequestEventSchema,
  errorEventSchema,
  retryEventSchema,
  doneEventSchema,
  cancelledEventSchema,
]);

/** An event as it is written. */
export type NewJobEvent = z.infer<typeof newJobEventSchema>;

/** Every kind of event. */
export type JobEventKind = NewJobEvent["kind"];

/** The `data` of events of kind `K`. */
export type JobEventData<K extends JobEventKind> = Extract<NewJobEvent, { kind: K }>["data"];

/** An event as stored and served: numbered per job. */
export const jobEventSchema = z.object({
  seq: z.number().int().positive().describe("1, 2, 3… per job, without gaps; the SSE `id`."),
  jobId: z.string(),
  at: z.string().describe("When it was recorded (ISO 8601)."),
}).and(newJobEventSchema);

/** One event of a job's progress log. */
export type JobEvent = z.infer<typeof jobEventSchema>;

/** Appends an event to the job's log. */
export type EmitJobEvent = (event: NewJobEvent) => Promise<void>;
