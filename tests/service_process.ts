/**
 * What tests that run the service as its own process share: its environment, the `start` task's
 * permissions and a free port.
 */

/** The environment a child Deno needs besides the settings (it starts with a cleared environment). */
export function processEnv(settings: Record<string, string>): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "/root",
    ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
    ...settings,
  };
}

/**
 * The settings that give a child its own `$HOME` (where the cloud SDKs look for profiles), its Deno
 * cache left where the tests' is (Linux's default, under the tests' `$HOME`).
 */
export function homeEnv(home: string): Record<string, string> {
  return { HOME: home, DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno` };
}

/** The permission flags of `deno.json`'s `start` task, which the service runs with. */
export async function startTaskPermissions(): Promise<string[]> {
  const { tasks } = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  return (tasks.start as string).split(" ").filter((word) => word.startsWith("--allow-"));
}

/** A port free on loopback now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
