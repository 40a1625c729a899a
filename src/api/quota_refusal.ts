/**
 * The answer to a request past a per-principal quota: `429 quota_exceeded` with `Retry-After`,
 * an error body naming the limit and its setting, and one audit line.
 */
import type { Context } from "hono";
import type { AuditLog } from "../audit.ts";
import type { QuotaExceededError } from "../jobs/store.ts";
import type { ApiEnv } from "./api_env.ts";
import { HttpError } from "./http_error.ts";

/** Which limit was reached, as the caller and the audit log see it. */
export interface QuotaBreach {
  /** The setting holding the limit, e.g. `QUOTA_MAX_QUEUED`. */
  setting: string;
  limit: number;
  /** What the principal holds now, in the limit's unit. */
  used: number;
  /** Seconds after which a retry may succeed (the `Retry-After` header), at least 1. */
  retryAfterSeconds: number;
  /** Says what was reached and what to do, naming the setting. */
  message: string;
}

/**
 * Records the refusal and builds the error to throw.
 * @returns the 429 {@link HttpError}.
 */
export function quotaRefusal(c: Context<ApiEnv>, audit: AuditLog, breach: QuotaBreach): HttpError {
  const principal = c.get("principal");
  const retryAfterSeconds = Math.max(1, Math.ceil(breach.retryAfterSeconds));
  audit.record({
    event: "quota_exceeded",
    principal: principal.id,
    setting: breach.setting,
    limit: breach.limit,
    used: breach.used,
    method: c.req.method,
    path: c.req.path,
    requestId: c.get("requestId"),
  });
  return new HttpError(429, "quota_exceeded", breach.message, {
    headers: { "Retry-After": String(retryAfterSeconds) },
    details: {
      quota: { setting: breach.setting, limit: breach.limit, used: breach.used, retryAfterSeconds },
    },
  });
}

/** Whole seconds from `now` to the next 00:00 UTC (when a daily allowance renews). */
export function secondsToUtcMidnight(now: Date): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((midnight - now.getTime()) / 1000);
}

/** A client refused for its queue may retry after this long: jobs take minutes to start and run. */
const QUEUED_RETRY_AFTER_S = 60;

/** The breach a submission refused by the store's {@link QuotaExceededError} is. */
export function submitQuotaBreach(principal: string, error: QuotaExceededError, now: Date): QuotaBreach {
  if (error.quota === "queued") {
    return {
      setting: "QUOTA_MAX_QUEUED",
      limit: error.limit,
      used: error.used,
      retryAfterSeconds: QUEUED_RETRY_AFTER_S,
      message:
        `${principal} already has ${error.used} jobs queued, the most QUOTA_MAX_QUEUED=${error.limit} ` +
        "allows; submit more once some have started, or cancel some",
    };
  }
  return {
    setting: "QUOTA_USD_PER_DAY",
    limit: error.limit,
    used: error.used,
    retryAfterSeconds: secondsToUtcMidnight(now),
    message: `${principal} spent $${error.used.toFixed(2)} on the model today, the most QUOTA_USD_PER_DAY=` +
      `${error.limit} allows per UTC day; submit again after 00:00 UTC`,
  };
}
