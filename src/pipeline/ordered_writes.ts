/**
 * Store writes started from synchronous callbacks (the agent loop's `onEvent`), run one at a time
 * in the order they were queued, so none is left floating: the scope that owns the queue awaits
 * them all before it ends (`await using`). A failed write is handed to `onError` and the next one
 * still runs; nothing here ever rejects.
 */

/** A queue of writes; disposing it waits for every write queued so far. */
export interface OrderedWrites extends AsyncDisposable {
  /** Queues `write` after the writes queued before it. `write` must not wait on this queue. */
  push(write: () => Promise<unknown>): void;
  /** Resolves once every write queued so far has run (or failed and been reported); never rejects. */
  drain(): Promise<void>;
}

/** Creates an empty queue; `onError` gets each failed write's error. */
export function orderedWrites(onError: (error: unknown) => void): OrderedWrites {
  let tail: Promise<void> = Promise.resolve();
  const report = (error: unknown) => {
    try {
      onError(error);
    } catch {
      // A failing reporter must not stop the writes after it.
    }
  };
  return {
    push(write) {
      tail = tail.then(write).then(() => undefined, report);
    },
    drain: () => tail,
    [Symbol.asyncDispose]: () => tail,
  };
}
