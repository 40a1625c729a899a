/**
 * Work that goes on while the work item does (the removal of an environment setup's containers
 * and networks, which need not delay the sandbox), awaited by the scope that owns it before that
 * scope ends (`await using`). A failure is handed to `onError`; nothing here ever rejects.
 */

/** Work started elsewhere; disposing waits for all of it. */
export interface AwaitedLater extends AsyncDisposable {
  /** Adds `work`, which the disposal waits for. */
  add(work: Promise<unknown>): void;
}

/** Creates an empty set of work; `onError` gets each failed one's error. */
export function awaitedLater(onError: (error: unknown) => void): AwaitedLater {
  const pending: Promise<void>[] = [];
  const report = (error: unknown) => {
    try {
      onError(error);
    } catch {
      // A failing reporter must not leave the other work unawaited.
    }
  };
  return {
    add(work) {
      pending.push(work.then(() => undefined, report));
    },
    async [Symbol.asyncDispose]() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}
