/**
 * Per-job authorisation: a principal sees the jobs of the repositories its
 * allowlist matches, and acts on the ones it submitted; acting on another
 * principal's job needs `jobs:admin`. Jobs it may not see are answered as
 * missing (404), so their existence does not leak.
 */
import type { Context } from "hono";
import type { AuditLog } from "../audit.ts";
import type { Job } from "../contracts/job.ts";
import type { JobStore } from "../jobs/store.ts";
import type { ApiEnv } from "./api_env.ts";
import { hasScope, type Principal, repoAllowed } from "./auth/principal.ts";
import { HttpError } from "./http_error.ts";

/** Refuses (403, audited) a request about a repository outside the caller's allowlist. */
export function assertRepoAllowed(c: Context<ApiEnv>, repo: string, audit: AuditLog): void {
  const principal = c.get("principal");
  if (repoAllowed(principal, repo)) return;
  audit.record({
    event: "access_denied",
    principal: principal.id,
    reason: `repository ${repo} not allowed`,
    method: c.req.method,
    path: c.req.path,
    requestId: c.get("requestId"),
  });
  throw new HttpError(403, "repo_not_allowed", `This credential may not act on repository ${repo}`);
}

/**
 * The job `id` if the caller may see it.
 * @throws HttpError 404 `job_not_found` when there is none or it is outside the caller's allowlist.
 */
export async function visibleJob(c: Context<ApiEnv>, store: JobStore, id: string): Promise<Job> {
  const job = await store.get(id);
  if (!job || !repoAllowed(c.get("principal"), job.repo)) {
    throw new HttpError(404, "job_not_found", `No job with id "${id}"`);
  }
  return job;
}

/** Whether `principal` may act on (cancel) `job`: it submitted it, or it holds `jobs:admin`. */
export function mayActOn(principal: Principal, job: Pick<Job, "submitter">): boolean {
  return job.submitter === principal.id || hasScope(principal, "jobs:admin");
}

/**
 * Refuses (403, audited) acting on job `job` (cancelling it) for a caller that did not submit it
 * and lacks `jobs:admin`.
 */
export function assertMayActOn(c: Context<ApiEnv>, job: Job, audit: AuditLog): void {
  const principal = c.get("principal");
  if (mayActOn(principal, job)) return;
  audit.record({
    event: "access_denied",
    principal: principal.id,
    reason: `job ${job.id} was submitted by ${job.submitter ?? "nobody recorded"}; missing scope jobs:admin`,
    method: c.req.method,
    path: c.req.path,
    requestId: c.get("requestId"),
  });
  throw new HttpError(
    403,
    "forbidden",
    "Only the job's submitter, or a credential with the jobs:admin scope, may cancel it",
  );
}
