/**
 * Audit events as JSON lines: authentication failures, authorisation denials,
 * quota refusals, job creation and cancellation, pull requests opened, webhook deliveries refused
 * (bad signature) or ignored (a sender without write access). Each line names who
 * (a principal id), never a credential: callers pass no tokens or keys, and
 * the types leave no field for them.
 */
import { appendFileSync } from "node:fs";

/** One audit event. */
export type AuditEvent =
  | {
    event: "auth_failed";
    /** A category (`missing`, `malformed`, `expired`, `bad_signature`, …), not the verifier's message. */
    reason: string;
    method: string;
    path: string;
    requestId?: string;
  }
  | {
    event: "access_denied";
    principal: string;
    /** e.g. `missing scope jobs:write`, `repository acme/x not allowed`. */
    reason: string;
    method: string;
    path: string;
    requestId?: string;
  }
  | {
    event: "quota_exceeded";
    principal: string;
    /** The setting holding the limit: `QUOTA_MAX_QUEUED`, `QUOTA_USD_PER_DAY`, `QUOTA_MAX_STREAMS`. */
    setting: string;
    limit: number;
    /** What the principal held when it was refused, in the limit's unit. */
    used: number;
    method: string;
    path: string;
    requestId?: string;
  }
  | {
    event: "job_created";
    principal: string;
    jobId: string;
    repo: string;
    issue: number;
    requestId?: string;
    /** The GitHub webhook delivery (`X-GitHub-Delivery`) that started it, if one did. */
    delivery?: string;
  }
  | {
    event: "webhook_rejected";
    /** `missing_signature` or `bad_signature` (`X-Hub-Signature-256` against `GITHUB_WEBHOOK_SECRET`). */
    reason: "missing_signature" | "bad_signature";
    /** `X-GitHub-Delivery` and `X-GitHub-Event` as claimed by the unverified request. */
    delivery?: string;
    githubEvent?: string;
    method: string;
    path: string;
    requestId?: string;
  }
  | {
    event: "webhook_ignored";
    delivery: string;
    githubEvent: string;
    repo: string;
    /** The GitHub login that acted. */
    sender: string;
    /** e.g. `sender has read permission; write, maintain or admin is needed`. */
    reason: string;
  }
  | {
    event: "job_cancelled";
    principal: string;
    jobId: string;
    repo: string;
    stage: "queued" | "running";
    /** Who submitted it, when that is not `principal` (a `jobs:admin` cancel). */
    submitter?: string;
    requestId?: string;
  }
  | {
    event: "pr_opened";
    jobId: string;
    repo: string;
    issue: number;
    number: number;
    url: string;
    submitter?: string;
  };

/** Where audit events go. */
export interface AuditLog {
  record(event: AuditEvent): void;
}

/** Options for {@link createAuditLog}. */
export interface AuditLogOptions {
  /** Append lines to this file (`AUDIT_LOG_PATH`; needs `--allow-write` on it). Default: stderr. */
  path?: string;
  /** Clock for the `time` field. Default: `() => new Date()`. */
  now?: () => Date;
  /** Writes one line; overrides `path` (tests). */
  write?: (line: string) => void;
}

/** Builds the audit log. A failing write is reported on stderr and never throws into a request. */
export function createAuditLog(options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  const path = options.path;
  const write = options.write ??
    (path ? (line: string) => appendFileSync(path, `${line}\n`) : (line: string) => console.error(line));
  return {
    record(event) {
      const line = JSON.stringify({ time: now().toISOString(), audit: true, ...event });
      try {
        write(line);
      } catch (error) {
        console.error(
          JSON.stringify({ level: "error", msg: "audit write failed", error: String(error), line }),
        );
      }
    },
  };
}

/** An audit log that drops everything (benchmarks). */
export const NO_AUDIT: AuditLog = { record() {} };
