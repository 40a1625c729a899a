/**
 * One compose project of this repository's compose files, under a project name of its own so that nothing
 * else on the engine is touched: up, ps-like queries by the project's label, health, published ports, down.
 * Compose is `docker compose` when the CLI has it, else `docker-compose`, installed with apt-get (Debian's
 * 1.29) when neither is there and we are root on Debian/Ubuntu.
 */
import { join } from "node:path";
import { aptInstall } from "../../scripts/apt_install.ts";
import { canInstallWithApt } from "../../scripts/os_release.ts";
import { runCommand, tailLines } from "../../scripts/run_command.ts";
import { PROJECT_ROOT } from "../../scripts/service_image_stage.ts";

/** The compose program and its leading arguments, e.g. `["docker", "compose"]`. */
export async function composeCommand(): Promise<string[]> {
  if ((await runCommand("docker", ["compose", "version"])).code === 0) return ["docker", "compose"];
  if ((await runCommand("docker-compose", ["version"])).code === 0) return ["docker-compose"];
  if (!canInstallWithApt()) throw new Error("Neither `docker compose` nor docker-compose is installed");
  await aptInstall(["docker-compose"]);
  return ["docker-compose"];
}

/** A compose project of the files `files` (relative to the project root) with the settings `env`. */
export class ComposeProject implements AsyncDisposable {
  #down: Promise<void> | undefined;

  private constructor(
    private readonly command: string[],
    /** The project name (`-p`): the label every container, volume and network of it carries. */
    readonly name: string,
    private readonly files: string[],
    private readonly env: Record<string, string>,
    private readonly envFile: string,
  ) {}

  /** Writes the env file (`settings` as `NAME=value` lines) and prepares the project; nothing starts yet. */
  static async create(
    name: string,
    files: string[],
    env: Record<string, string>,
    settings: Record<string, string> = {},
  ): Promise<ComposeProject> {
    const dir = await Deno.makeTempDir({ prefix: `${name}-` });
    const envFile = join(dir, ".env");
    await Deno.writeTextFile(envFile, Object.entries(settings).map(([k, v]) => `${k}=${v}\n`).join(""));
    return new ComposeProject(await composeCommand(), name, files, { ...env, ENV_FILE: envFile }, envFile);
  }

  /** Runs compose with `args`; throws with the end of its output when it fails. */
  async run(...args: string[]): Promise<string> {
    const [program, ...lead] = this.command;
    const result = await runCommand(program!, [
      ...lead,
      "--env-file",
      this.envFile,
      "--project-name",
      this.name,
      ...this.files.flatMap((file) => ["--file", join(PROJECT_ROOT, file)]),
      ...args,
    ], { env: this.env, timeoutMs: 300_000 });
    if (result.code !== 0) {
      throw new Error(`compose ${args.join(" ")} failed:\n${tailLines(result.stdout + result.stderr, 20)}`);
    }
    return result.stdout + result.stderr;
  }

  /** The host address a service's container port is published on, e.g. `127.0.0.1:49153`. */
  async port(service: string, port: number): Promise<string> {
    return (await this.run("port", service, String(port))).trim();
  }

  /** The id of the service's container. */
  async container(service: string): Promise<string> {
    return (await this.run("ps", "-q", service)).trim();
  }

  /** The service container's health status (`starting`, `healthy`, `unhealthy`). */
  async health(service: string): Promise<string> {
    return (await docker("inspect", "--format", "{{.State.Health.Status}}", await this.container(service)))
      .trim();
  }

  /** Waits until the service's health is `status`; throws after `timeoutMs`. */
  async waitForHealth(service: string, status: string, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.health(service);
      if (last === status) return;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    throw new Error(`${service} stayed ${last}, never ${status}; logs:\n${await this.logs(service)}`);
  }

  /** What the service's containers logged. */
  async logs(service?: string): Promise<string> {
    return await this.run("logs", "--no-color", ...(service ? [service] : []));
  }

  /** Ids of the containers, volumes and networks that carry the project's label (compose's own marker). */
  async leftovers(): Promise<{ containers: string[]; volumes: string[]; networks: string[] }> {
    const filter = `label=com.docker.compose.project=${this.name}`;
    const lines = (text: string) => text.split("\n").filter(Boolean);
    return {
      containers: lines(await docker("ps", "--all", "--quiet", "--filter", filter)),
      volumes: lines(await docker("volume", "ls", "--quiet", "--filter", filter)),
      networks: lines(await docker("network", "ls", "--quiet", "--filter", filter)),
    };
  }

  /** `down -v`: stops and removes the project's containers, networks and volumes. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.#down ??= (async () => {
      await this.run("down", "--volumes", "--timeout", "20");
      await Deno.remove(this.envFile.slice(0, -"/.env".length), { recursive: true }).catch(() => undefined);
    })();
    return this.#down;
  }
}

/** Runs `docker` with `args`; throws when it fails. */
export async function docker(...args: string[]): Promise<string> {
  const result = await runCommand("docker", args, { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`docker ${args.join(" ")} failed: ${tailLines(result.stderr, 5)}`);
  return result.stdout;
}
