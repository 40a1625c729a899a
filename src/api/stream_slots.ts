/**
 * Open event streams per principal (`QUOTA_MAX_STREAMS`): a stream takes a slot when it opens and
 * gives it back when it ends, however it ends (job final, client gone, service stopping).
 */

/** The slot counter; see {@link createStreamSlots}. */
export interface StreamSlots {
  /**
   * Takes a slot for `principal`.
   * @returns its release (idempotent), or undefined when `principal` holds every slot it may.
   */
  take(principal: string): (() => void) | undefined;
  /** Streams `principal` has open now. */
  open(principal: string): number;
}

/** Counts open streams, at most `max` per principal. */
export function createStreamSlots(max: number): StreamSlots {
  const counts = new Map<string, number>();
  const open = (principal: string) => counts.get(principal) ?? 0;
  return {
    open,
    take(principal) {
      if (open(principal) >= max) return undefined;
      counts.set(principal, open(principal) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = open(principal) - 1;
        if (left > 0) counts.set(principal, left);
        else counts.delete(principal);
      };
    },
  };
}
