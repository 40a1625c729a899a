/**
 * One LISTEN connection per replica on {@link JOB_CHANGES_CHANNEL}: every job change committed by
 * any replica (an event, a status, a cancel request) reaches this replica's event streams and
 * worker as it commits, with no polling per client. The connection is re-opened when it drops
 * (PostgreSQL restarted), backing off up to 5 s; after a reconnect every waiter is woken, since
 * notifications sent meanwhile are lost.
 */
import pg from "pg";
import { errorText, logger } from "../logging.ts";
import { JOB_CHANGES_CHANNEL } from "./pg_migrations.ts";

const log = logger("queue");
const MAX_BACKOFF_MS = 5_000;

/** What the listener calls. */
export interface JobChangeHandlers {
  /** Job `jobId` changed (on any replica). */
  changed(jobId: string): void;
  /** The connection was re-opened: changes in between may have been missed. */
  reconnected(): void;
}

/** A running listener; {@link JobChangeListener.close} stops it for good. */
export interface JobChangeListener {
  /**
   * Resolves once the first LISTEN is in place; rejects with {@link ListenNotReadyError} when none is
   * within `readyTimeoutMs` (the listener goes on trying until closed).
   */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** No LISTEN connection could be opened in time (e.g. the server's connection limit is reached). */
export class ListenNotReadyError extends Error {
  override name = "ListenNotReadyError";
}

/**
 * Listens at `connectionString` until closed.
 * @param readyTimeoutMs how long `ready` waits for the first LISTEN, in milliseconds.
 */
export function listenForJobChanges(
  connectionString: string,
  handlers: JobChangeHandlers,
  { readyTimeoutMs }: { readyTimeoutMs: number },
): JobChangeListener {
  let closed = false;
  let client: pg.Client | undefined;
  let backoffMs = 100;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let first = true;
  let lastError = "no answer yet";
  let markReady!: () => void;
  let readyTimer: ReturnType<typeof setTimeout> | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = () => {
      clearTimeout(readyTimer);
      resolve();
    };
    readyTimer = setTimeout(() =>
      reject(
        new ListenNotReadyError(
          `cannot LISTEN for job changes on DATABASE_URL within ${readyTimeoutMs} ms (${lastError}): check ` +
            "that the server answers and has a free connection (max_connections)",
        ),
      ), readyTimeoutMs);
  });

  const connect = async () => {
    timer = undefined;
    if (closed) return;
    const next = new pg.Client({ connectionString });
    next.on("notification", (message) => {
      if (message.channel === JOB_CHANGES_CHANNEL && message.payload) handlers.changed(message.payload);
    });
    next.on("error", () => dropped(next));
    next.on("end", () => dropped(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${JOB_CHANGES_CHANNEL}`);
    } catch (error) {
      lastError = errorText(error);
      log.warn("cannot listen for job changes: {error}; retrying", { error: lastError });
      dropped(next);
      return;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    backoffMs = 100;
    if (first) markReady();
    else handlers.reconnected();
    first = false;
  };
  const dropped = (which: pg.Client) => {
    which.removeAllListeners("end");
    which.end().catch(() => undefined);
    if (client === which) client = undefined;
    if (closed || timer) return;
    timer = setTimeout(start, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  };
  function start(): void {
    connect().catch((error) => log.error("job change listener: {error}", { error: errorText(error) }));
  }
  start();
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(readyTimer);
      const last = client;
      client = undefined;
      if (last) {
        last.removeAllListeners("end");
        await last.end().catch(() => undefined);
      }
    },
  };
}
