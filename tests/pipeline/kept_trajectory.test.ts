import { describe, expect, test } from "vitest";
import type { TrajectoryEntry } from "../../src/agent/trajectory.ts";
import { keepTrajectory } from "../../src/pipeline/kept_trajectory.ts";

/** A save that records what it was given. */
const recordInto = (saved: TrajectoryEntry[][]) => (entries: TrajectoryEntry[]) => {
  saved.push([...entries]);
  return Promise.resolve();
};

const ENTRY: TrajectoryEntry = {
  turn: 1,
  atMs: 0,
  request: { messages: 1, maxTokens: 10, estimatedInputTokens: 5, nudge: false },
  tools: [],
};

describe("a kept trajectory is saved once, on every way out of its scope", () => {
  test("saved after the run, it is not saved again when the scope ends", async () => {
    const saved: TrajectoryEntry[][] = [];
    {
      await using kept = keepTrajectory(recordInto(saved), () => {});
      kept.entries.push(ENTRY);
      await kept.save();
    }
    expect(saved).toEqual([[ENTRY]]);
  });

  test("an error that ends the scope first still leaves what the run wrote saved", async () => {
    const saved: TrajectoryEntry[][] = [];
    const ended = (async () => {
      await using kept = keepTrajectory(recordInto(saved), () => {});
      kept.entries.push(ENTRY);
      throw new Error("the sandbox is gone");
    })();
    await expect(ended).rejects.toThrow("the sandbox is gone");
    expect(saved).toEqual([[ENTRY]]);
  });

  test("a failing save on the way out is reported and never hides the error that ended the scope", async () => {
    const reported: unknown[] = [];
    const ended = (async () => {
      await using _kept = keepTrajectory(
        () => Promise.reject(new Error("store down")),
        (e) => reported.push(e),
      );
      throw new Error("the sandbox is gone");
    })();
    await expect(ended).rejects.toThrow("the sandbox is gone");
    expect(reported).toEqual([new Error("store down")]);
  });

  test("a failing save after the run throws, as any store failure does", async () => {
    await using kept = keepTrajectory(() => Promise.reject(new Error("store down")), () => {});
    await expect(kept.save()).rejects.toThrow("store down");
  });
});
