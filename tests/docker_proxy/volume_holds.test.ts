import { describe, expect, test } from "vitest";
import { createVolumeHolds } from "../../src/docker_proxy/volume_holds.ts";

/** Lets every settled promise run its callbacks. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("volume holds", () => {
  test("a second hold on a name waits for the first to be released; other names do not", async () => {
    const holds = createVolumeHolds();
    const events: string[] = [];
    const first = await holds.hold(["a"]);
    const second = holds.hold(["a", "b"]).then((release) => {
      events.push("second");
      return release;
    });
    const other = await holds.hold(["c"]);
    events.push("other");
    await settle();
    expect(events).toEqual(["other"]);
    first();
    const releaseSecond = await second;
    expect(events).toEqual(["other", "second"]);
    releaseSecond();
    other();
  });

  test("releasing twice does nothing: it cannot free a hold someone else has since taken", async () => {
    const holds = createVolumeHolds();
    const first = await holds.hold(["a"]);
    first();
    const second = await holds.hold(["a"]);
    first();
    let third = false;
    const waiting = holds.hold(["a"]).then((release) => {
      third = true;
      return release;
    });
    await settle();
    expect(third).toBe(false);
    second();
    (await waiting)();
    expect(third).toBe(true);
  });

  test("holds on the same names asked in opposite orders cannot wait for each other", async () => {
    const holds = createVolumeHolds();
    const releases = await Promise.all([
      holds.hold(["x", "y"]),
      holds.hold(["y", "x"]),
      holds.hold(["y", "x", "x"]),
    ].map((p) => p.then((release) => (release(), release))));
    expect(releases).toHaveLength(3);
  });
});
