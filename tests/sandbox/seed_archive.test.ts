import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, test } from "vitest";
import { SandboxError } from "../../src/errors.ts";
import { createDockerSandboxFactory } from "../../src/sandbox/docker_sandbox.ts";
import { buildSeedArchive } from "../../src/sandbox/seed_archive.ts";
import { docker, testLimits } from "./sandbox_fixture.ts";

const CAPS = { maxBytes: 100 * 1024 * 1024, maxEntries: 20_000 };

type Entry = Partial<tar.Header> & { name: string; body?: string };

/** A pax global header block as `git archive` writes it first (tar-stream cannot pack one). */
function paxGlobalHeader(): Uint8Array {
  const body = new TextEncoder().encode("52 comment=0123456789abcdef0123456789abcdef01234567\n");
  const block = new Uint8Array(512 + 512);
  const put = (at: number, text: string) => block.set(new TextEncoder().encode(text), at);
  put(0, "pax_global_header");
  put(100, "0000666\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, body.length.toString(8).padStart(11, "0") + "\0");
  put(136, "00000000000\0");
  put(148, "        ");
  put(156, "g");
  put(257, "ustar\0");
  put(263, "00");
  const sum = block.subarray(0, 512).reduce((n, b) => n + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  block.set(body, 512);
  return block;
}

/** A gzip tarball as GitHub's tarball endpoint serves it: one top folder, a pax global header first. */
async function githubTarball(entries: Entry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  for (const { body, ...header } of entries) {
    if (body === undefined) pack.entry({ mode: 0o644, ...header });
    else pack.entry({ mode: 0o644, ...header }, body);
  }
  pack.finalize();
  const chunks: Uint8Array[] = [paxGlobalHeader()];
  for await (const c of pack) chunks.push(c as Uint8Array);
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function entriesOf(
  archive: Uint8Array,
): Promise<Array<{ name: string; type: string; uid: number; mode: number }>> {
  const extract = tar.extract();
  const out: Array<{ name: string; type: string; uid: number; mode: number }> = [];
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      out.push({ name: h.name, type: h.type ?? "file", uid: h.uid ?? -1, mode: h.mode ?? 0 });
      entry.resume();
    }
  })();
  extract.end(Buffer.from(archive));
  await done;
  return out;
}

const TOP = "acme-task-service-0123456";

describe("the seed archive built from a GitHub tarball", () => {
  test("strips the top folder and owns every entry by the sandbox user", async () => {
    const tarball = await githubTarball([
      { name: `${TOP}/`, type: "directory", mode: 0o755 },
      { name: `${TOP}/app/`, type: "directory", mode: 0o755 },
      { name: `${TOP}/app/main.py`, body: "print(1)\n" },
      { name: `${TOP}/run.sh`, body: "#!/bin/sh\n", mode: 0o755 },
      { name: `${TOP}/docs`, type: "symlink", linkname: "app" },
    ]);
    const entries = await entriesOf(await buildSeedArchive(once(tarball), CAPS));
    expect(entries.map((e) => `${e.type} ${e.name}`)).toEqual([
      "directory app",
      "file app/main.py",
      "file run.sh",
      "symlink docs",
    ]);
    expect(new Set(entries.map((e) => e.uid))).toEqual(new Set([1000]));
    expect(entries.find((e) => e.name === "run.sh")?.mode).toBe(0o755);
  });

  test("drops entries that climb with .., absolute paths, .git/, devices and anything below a symlink", async () => {
    const tarball = await githubTarball([
      { name: `${TOP}/ok.py`, body: "ok\n" },
      { name: `${TOP}/../evil.py`, body: "x" },
      { name: `${TOP}/app/../../evil2.py`, body: "x" },
      { name: "/etc/cron.d/evil", body: "x" },
      { name: `${TOP}/.git/config`, body: "x" },
      { name: `${TOP}/dev-null`, type: "character-device", devmajor: 1, devminor: 3 },
      { name: `${TOP}/out`, type: "symlink", linkname: "/etc" },
      { name: `${TOP}/out/passwd`, body: "x" },
    ]);
    const names = (await entriesOf(await buildSeedArchive(once(tarball), CAPS))).map((e) => e.name);
    expect(names).toEqual(["ok.py", "out"]);
  });

  test("an archive over the size cap or the entry cap is refused with an error saying so", async () => {
    const tarball = await githubTarball([
      { name: `${TOP}/a.bin`, body: "x".repeat(6000) },
      { name: `${TOP}/b.bin`, body: "y".repeat(6000) },
    ]);
    await expect(buildSeedArchive(once(tarball), { maxBytes: 10_000, maxEntries: 20_000 })).rejects.toThrow(
      /snapshot is over 10000 bytes; raise SNAPSHOT_MAX_BYTES/,
    );
    await expect(buildSeedArchive(once(tarball), { maxBytes: 1 << 30, maxEntries: 1 })).rejects.toThrow(
      /more than 1 entries; raise SNAPSHOT_MAX_FILES/,
    );
  });

  test("something that is not a gzip tarball is refused", async () => {
    const error = await buildSeedArchive(once(new TextEncoder().encode("<html>rate limited</html>")), CAPS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as Error).message).toMatch(/not a gzip tar archive/);
  });

  test("a sandbox seeded with it holds exactly the kept files, owned by uid 1000 and writable by its group", async () => {
    const tarball = await githubTarball([
      { name: `${TOP}/app/main.py`, body: "print(1)\n" },
      { name: `${TOP}/run.sh`, body: "#!/bin/sh\n", mode: 0o755 },
      { name: `${TOP}/../escape.txt`, body: "x" },
    ]);
    const seed = await buildSeedArchive(once(tarball), CAPS);
    const factory = createDockerSandboxFactory(docker, {
      limits: testLimits(),
      maxSeedBytes: 64 * 1024 * 1024,
    });
    const sandbox = await factory.create({
      name: `backend-agent-test-seed-${crypto.randomUUID().slice(0, 8)}`,
      seed,
    });
    try {
      const files = await sandbox.run([
        "bash",
        "-c",
        "find . -path ./.git -prune -o -type f -printf '%U %m %p\\n' | sort",
      ]);
      expect(files.stdout).toBe("1000 664 ./app/main.py\n1000 775 ./run.sh\n");
      expect((await sandbox.run(["ls", "/"])).stdout).not.toContain("escape.txt");
    } finally {
      await sandbox.dispose();
    }
  });

  test("the factory refuses a seed over its cap before creating anything", async () => {
    const factory = createDockerSandboxFactory(docker, { limits: testLimits(), maxSeedBytes: 1024 });
    const name = `backend-agent-test-cap-${crypto.randomUUID().slice(0, 8)}`;
    await expect(factory.create({ name, seed: new Uint8Array(4096) })).rejects.toThrow(
      new RegExp(`Cannot seed sandbox "${name}": archive is 4096 bytes, over the 1024-byte cap`),
    );
    const filters = JSON.stringify({ label: [`dev.backend-agent.sandbox=${name}`] });
    expect(await docker.listContainers({ all: true, filters })).toEqual([]);
  });
});
