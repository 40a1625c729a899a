import { describe, expect, test } from "vitest";
import { environmentKey, type KeyInput } from "../../src/environments/environment_key.ts";
import { KeyedLock } from "../../src/environments/keyed_lock.ts";
import { relativeAge } from "../../src/environments/relative_age.ts";
import { outputTail, readSetupReport, TAIL_LINES } from "../../src/environments/setup_output.ts";

const sha = (c: string) => c.repeat(64);
const input: KeyInput = {
  repo: "acme/tasks",
  tree: null,
  baseImageId: "sha256:" + sha("b"),
  spec: {
    manifests: [{ path: "requirements.txt", sha256: sha("1") }, { path: "pyproject.toml", sha256: sha("2") }],
    plan: { kind: "pip", installs: [["-r", "requirements.txt"]] },
  },
  allowlist: ["pypi.org", "files.pythonhosted.org"],
  indexUrl: "https://pypi.org/simple",
  extraIndexUrls: [],
};

describe("the cache key", () => {
  test("is a SHA-256 that ignores the order manifests and hosts are listed in", () => {
    const key = environmentKey(input);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(environmentKey({
      ...input,
      spec: { ...input.spec, manifests: [...input.spec.manifests].reverse() },
      allowlist: [...input.allowlist].reverse(),
    })).toBe(key);
  });

  test("reads the repository's name as GitHub does, without case", () => {
    expect(environmentKey({ ...input, repo: "ACME/Tasks" })).toBe(environmentKey(input));
  });

  test("changes with the repository, the base tree, the base image, any manifest's bytes, the plan, the allowlist and the index", () => {
    const key = environmentKey(input);
    const variants: KeyInput[] = [
      { ...input, repo: "mallory/tasks" },
      { ...input, tree: sha("d") },
      { ...input, baseImageId: "sha256:" + sha("c") },
      { ...input, spec: { ...input.spec, manifests: [{ path: "requirements.txt", sha256: sha("3") }] } },
      { ...input, spec: { ...input.spec, plan: { kind: "script", path: ".backend-agent/setup.sh" } } },
      { ...input, allowlist: ["pypi.org"] },
      { ...input, indexUrl: "https://nexus.example/simple" },
      { ...input, extraIndexUrls: ["https://extra.example/simple"] },
    ];
    const keys = new Set(variants.map(environmentKey));
    expect(keys.size).toBe(variants.length);
    expect(keys.has(key)).toBe(false);
  });
});

describe("the setup program's output", () => {
  test("its last line reports the packages, or the files a secret leaked into", () => {
    expect(readSetupReport('Successfully installed x\nBACKEND-AGENT-SETUP {"packages": 14}\n')).toEqual({
      packages: 14,
    });
    expect(readSetupReport('BACKEND-AGENT-SETUP {"leaked": ["/opt/venv/pip.conf"]}')).toEqual({
      leaked: ["/opt/venv/pip.conf"],
    });
    expect(readSetupReport('BACKEND-AGENT-SETUP {"packages": 14}\nERROR: then it failed')).toBeUndefined();
    expect(readSetupReport('BACKEND-AGENT-SETUP {"packages": -1}')).toBeUndefined();
    expect(readSetupReport('BACKEND-AGENT-SETUP {"packages": 1, "extra": true}')).toBeUndefined();
    expect(readSetupReport("BACKEND-AGENT-SETUP not json")).toBeUndefined();
  });

  test("a failure keeps its last lines, redacted before the cut", () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i} https://bot:tok3n@index/simple`);
    const tail = outputTail(lines.join("\r\n") + "\r\n", ["tok3n", "bot:tok3n"]);
    expect(tail.split("\n")).toHaveLength(TAIL_LINES);
    expect(tail.split("\n").at(-1)).toBe("line 59 https://[redacted]@index/simple");
    expect(tail).not.toContain("tok3n");
    expect(outputTail("x".repeat(10_000) + "tok3n", ["tok3n"]).endsWith("[redacted]")).toBe(true);
  });
});

test("relative ages read like a person would say them", () => {
  const now = Date.parse("2026-01-02T12:00:00Z");
  expect(relativeAge("2026-01-02T12:00:00Z", now)).toBe("just now");
  expect(relativeAge("2026-01-02T11:59:20Z", now)).toBe("40 s ago");
  expect(relativeAge("2026-01-02T11:48:00Z", now)).toBe("12 min ago");
  expect(relativeAge("2026-01-02T10:00:00Z", now)).toBe("2 h ago");
  expect(relativeAge("2025-12-30T12:00:00Z", now)).toBe("3 d ago");
});

test("the keyed lock runs one callback at a time per key, other keys alongside, and forgets idle keys", async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  let releaseFirst!: () => void;
  const first = lock.run("a", async () => {
    order.push("a1 start");
    await new Promise<void>((resolve) => releaseFirst = resolve);
    order.push("a1 end");
  });
  const second = lock.run("a", () => {
    order.push("a2");
    return Promise.resolve();
  });
  await lock.run("b", () => {
    order.push("b");
    return Promise.resolve();
  });
  expect(order).toEqual(["a1 start", "b"]);
  releaseFirst();
  await Promise.all([first, second]);
  expect(order).toEqual(["a1 start", "b", "a1 end", "a2"]);
  expect(lock.size).toBe(0);
});

test("a waiter on the keyed lock whose job stops leaves at once, its work never runs, and the lock still works", async () => {
  const lock = new KeyedLock();
  const ran: string[] = [];
  let releaseFirst!: () => void;
  const first = lock.run("a", async () => {
    ran.push("first");
    await new Promise<void>((resolve) => releaseFirst = resolve);
  });
  const stop = new AbortController();
  const waiter = lock.run("a", () => {
    ran.push("stopped waiter");
    return Promise.resolve();
  }, stop.signal).then(() => "ran", (error: unknown) => error);
  const next = lock.run("a", () => {
    ran.push("next");
    return Promise.resolve();
  });
  stop.abort(new Error("the job is stopping"));
  expect(await waiter).toEqual(new Error("the job is stopping"));
  expect(ran).toEqual(["first"]);
  releaseFirst();
  await Promise.all([first, next]);
  expect(ran).toEqual(["first", "next"]);
  expect(lock.size).toBe(0);
  const already = new AbortController();
  already.abort(new Error("stopped before"));
  await expect(lock.run("a", () => Promise.resolve(), already.signal)).rejects.toThrow("stopped before");
  expect(lock.size).toBe(0);
});
