import { describe, expect, test } from "vitest";
import { orderedWrites } from "../../src/pipeline/ordered_writes.ts";

const later = <T>(value: T, ms: number) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe("ordered writes", () => {
  test("run one at a time in the order they were pushed, and drain waits for all of them", async () => {
    const done: number[] = [];
    const writes = orderedWrites(() => {});
    for (const [n, ms] of [[1, 30], [2, 0], [3, 10]] as const) {
      writes.push(async () => done.push(await later(n, ms)));
    }
    expect(done).toEqual([]);
    await writes.drain();
    expect(done).toEqual([1, 2, 3]);
  });

  test("a failed write is reported and the next still runs; nothing rejects", async () => {
    const reported: unknown[] = [];
    const done: string[] = [];
    const writes = orderedWrites((error) => reported.push((error as Error).message));
    writes.push(() => Promise.reject(new Error("disk I/O error")));
    writes.push(() => {
      throw new Error("thrown before any promise");
    });
    writes.push(() => Promise.resolve(void done.push("after")));
    await expect(writes.drain()).resolves.toBeUndefined();
    expect(reported).toEqual(["disk I/O error", "thrown before any promise"]);
    expect(done).toEqual(["after"]);
  });

  test("leaving an `await using` scope waits for the writes pushed in it", async () => {
    const done: string[] = [];
    {
      await using writes = orderedWrites(() => {});
      writes.push(async () => void done.push(await later("written", 20)));
    }
    expect(done).toEqual(["written"]);
  });

  test("a reporter that throws does not stop the writes after it", async () => {
    const done: string[] = [];
    const writes = orderedWrites(() => {
      throw new Error("reporter broke");
    });
    writes.push(() => Promise.reject(new Error("first")));
    writes.push(() => Promise.resolve(void done.push("second")));
    await writes.drain();
    expect(done).toEqual(["second"]);
  });
});
