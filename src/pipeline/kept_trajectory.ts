/**
 * A work item's trajectory, held from before its agent run starts and saved on
 * every path out of the work item: right after the run as usual, and by
 * `await using` when an error, a cancellation or an early return ends it
 * first — then with whatever the run had written so far.
 */
import type { TrajectoryEntry } from "../agent/trajectory.ts";

/** A trajectory that is saved once, at the latest when its scope ends. */
export interface KeptTrajectory extends AsyncDisposable {
  /** The list the agent loop writes to as it goes (`RunAgentOptions.trajectory`). */
  readonly entries: TrajectoryEntry[];
  /**
   * Saves the entries now; the scope's end then saves nothing more.
   * @throws whatever `save` throws.
   */
  save(): Promise<void>;
}

/**
 * Keeps a trajectory for `save`. At the scope's end, unsaved entries are saved; a failure there is
 * handed to `onSaveError` rather than thrown, so it never hides the error that ended the work item.
 */
export function keepTrajectory(
  save: (entries: TrajectoryEntry[]) => Promise<void>,
  onSaveError: (error: unknown) => void,
): KeptTrajectory {
  const entries: TrajectoryEntry[] = [];
  let saved = false;
  const saveNow = async () => {
    saved = true;
    await save(entries);
  };
  return {
    entries,
    save: saveNow,
    async [Symbol.asyncDispose]() {
      if (saved) return;
      await saveNow().catch(onSaveError);
    },
  };
}
