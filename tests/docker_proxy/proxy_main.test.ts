import { describe, expect, test } from "vitest";

const MAIN = new URL("../../src/docker_proxy/main.ts", import.meta.url).pathname;

/** `deno run <permissions> main.ts` with `env` (and nothing else from this process's environment). */
function proxyProcess(permissions: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...permissions, MAIN],
    env: { PATH: Deno.env.get("PATH") ?? "", ...env },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/** The first line the process writes on stderr. */
async function firstLine(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.split("\n")[0]!;
}

describe("the proxy's entry point", () => {
  test("an invalid setting stops it at start with one JSON line naming the variable", async () => {
    const child = proxyProcess(["--allow-env", "--allow-net=127.0.0.1"], {
      PROXY_LISTEN: "127.0.0.1:0",
      PROXY_MAX_MEMORY_MB: "lots",
      PROXY_MAX_SANDBOXES: "0",
    });
    const line = await firstLine(child);
    expect((await child.status).code).toBe(1);
    const logged = JSON.parse(line);
    expect(logged).toMatchObject({ level: "fatal", msg: "docker-proxy not starting" });
    expect(logged.error).toMatch(/PROXY_MAX_MEMORY_MB must be a positive integer.*"lots"/);
    expect(logged.error).toMatch(/PROXY_MAX_SANDBOXES must be a positive integer.*"0"/);
  });

  test("a name --allow-env does not grant keeps its default, and the start-up line says which", async () => {
    const granted = "PROXY_LISTEN,PROXY_UPSTREAM,PROXY_ALLOWED_IMAGES,PROXY_ALLOWED_RUNTIMES";
    const child = proxyProcess([`--allow-env=${granted}`, "--allow-net=127.0.0.1"], {
      PROXY_LISTEN: "127.0.0.1:0",
      PROXY_MAX_SANDBOXES: "1",
    });
    try {
      const started = JSON.parse(await firstLine(child));
      expect(started).toMatchObject({ msg: "docker-proxy listening", maxSandboxes: 16 });
      expect(started.caps).toMatchObject({ maxPids: 1024 });
      expect(started.unreadable).toContain("PROXY_MAX_SANDBOXES");
      expect(started.unreadable).not.toContain("PROXY_LISTEN");
    } finally {
      child.kill("SIGTERM");
      await child.stderr.cancel().catch(() => undefined);
    }
    expect((await child.status).code).toBe(0);
  });
});
