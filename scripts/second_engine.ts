/**
 * A second Docker engine for the tests of a pool of Docker hosts (`DOCKER_HOSTS`): a `dockerd` of
 * its own, started here and stopped by {@link SecondEngine.stop}, that shares nothing with the
 * default engine. Everything lives in one fresh folder: `--data-root`, `--exec-root`, `--pidfile`,
 * the `-H unix://…` socket and the log. It runs in a network namespace of its own (`ip netns`), so
 * its bridges and iptables rules are its own and the default engine's (`docker0`, its chains and
 * their FORWARD policy, which would drop this engine's traffic) are never touched; it has no default
 * bridge (`--bridge=none`), and its networks take addresses from their own pool (`10.213.0.0/16`).
 * The socket is a path, so the host reaches it from its own namespace. Needs root and `-A`.
 */
import type Docker from "dockerode";
import DockerClient from "dockerode";
import { findExecutable, pathWithSystemDirs } from "./find_executable.ts";
import { makeEngineTls } from "./engine_tls.ts";
import { SetupError } from "./setup_error.ts";

/** The address pool of the second engine's networks. */
const ADDRESS_POOL = "base=10.213.0.0/16,size=24";

/** A running second engine. */
export interface SecondEngine {
  /** `unix://<folder>/docker.sock`. */
  readonly url: string;
  /**
   * With `tls`: its TCP endpoint (`tcp://<ip>:2376`, on a veth pair into its namespace, `--tlsverify`)
   * and a `DOCKER_CERT_PATH` holding the client's files in the sub-folder `<ip>:2376`.
   */
  readonly tcp?: { url: string; certPath: string };
  readonly docker: Docker;
  /** Stops its dockerd (SIGTERM; its containers are killed) and waits until it has exited. */
  halt(): Promise<void>;
  /**
   * Kills its dockerd (SIGKILL), as a crash: its API stops answering at once while its containers
   * (under containerd, left running) are not stopped; a restart adopts containerd and stops them.
   */
  crash(): Promise<void>;
  /** Starts its dockerd again on the same folders and waits until it answers. */
  restart(): Promise<void>;
  /**
   * Removes every container it runs, stops its dockerd (SIGTERM), kills what is left of its
   * processes, unmounts and deletes its folder. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts a second engine and waits until it answers.
 * @throws SetupError when dockerd is missing, we are not root, or it does not answer within a minute
 *   (with its log's last lines).
 */
export async function startSecondEngine(options: { tls?: boolean } = {}): Promise<SecondEngine> {
  const dockerd = findExecutable("dockerd");
  if (!dockerd) {
    throw new SetupError("dockerd is not installed: run `deno task prepare` first (it installs docker.io)");
  }
  if (Deno.uid() !== 0) throw new SetupError("A second Docker engine needs root: run the tests as root");
  // Short: the engine's containerd socket lives under the exec root, and a socket path has at most 107 bytes.
  const dir = await Deno.makeTempDir({ prefix: "ba-engine2-" });
  const socket = `${dir}/docker.sock`;
  const netns = dir.split("/").pop()!;
  await run("ip", ["netns", "add", netns]);
  await run("ip", ["netns", "exec", netns, "ip", "link", "set", "lo", "up"]);
  const tcp = options.tls
    ? await tlsListener(dir, netns).catch(async (error) => {
      await run("ip", ["netns", "delete", netns]).catch(() => undefined);
      await Deno.remove(dir, { recursive: true }).catch(() => undefined);
      throw error;
    })
    : undefined;
  const args = [
    ...(tcp?.args ?? []),
    `--data-root=${dir}/data`,
    `--exec-root=${dir}/exec`,
    `--pidfile=${dir}/docker.pid`,
    `--host=unix://${socket}`,
    "--bridge=none",
    "--shutdown-timeout=1",
    `--default-address-pool=${ADDRESS_POOL}`,
    "--log-level=warn",
  ];
  let child: Deno.ChildProcess | undefined;
  const docker = new DockerClient({ socketPath: socket });
  const start = async () => {
    // nsenter enters the network namespace only (`ip netns exec` would also remount /sys, hiding the cgroups).
    child = new Deno.Command("nsenter", {
      args: [`--net=/var/run/netns/${netns}`, "sh", "-c", 'exec "$0" "$@" >>"$LOG" 2>&1', dockerd, ...args],
      env: { PATH: pathWithSystemDirs(), LOG: `${dir}/dockerd.log` },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    child.status.then(() => exited = true, () => exited = true);
    await waitUntil(
      () =>
        exited
          ? Promise.reject(new SetupError(`The second Docker engine exited:\n${logTail(dir)}`))
          : docker.ping().then(() => true, () => false),
      60_000,
      () =>
        new SetupError(
          `The second Docker engine did not answer within 60 s. Its log ends with:\n${logTail(dir)}`,
        ),
    );
  };
  const signal = async (name: Deno.Signal) => {
    try {
      child?.kill(name);
    } catch {
      // it has exited already
    }
    await child?.status;
    child = undefined;
  };
  let stopped: Promise<void> | undefined;
  try {
    await start();
  } catch (error) {
    await signal("SIGKILL");
    killLeftovers(dir);
    await run("ip", ["netns", "delete", netns]).catch(() => undefined);
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
    throw error;
  }
  return {
    url: `unix://${socket}`,
    ...(tcp ? { tcp: { url: tcp.url, certPath: tcp.certPath } } : {}),
    docker,
    // SIGTERM: dockerd kills its containers at once (--shutdown-timeout=1) and stops its containerd, so
    // nothing of it is left running and a restart starts clean (after a SIGKILL, the containers' shims
    // outlive it and the next containerd does not start).
    halt: () => signal("SIGTERM"),
    crash: () => signal("SIGKILL"),
    restart: start,
    stop() {
      stopped ??= (async () => {
        if (child) {
          for (const info of await docker.listContainers({ all: true }).catch(() => [])) {
            await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
          }
          await signal("SIGTERM");
        }
        killLeftovers(dir);
        await unmountUnder(dir);
        await run("ip", ["netns", "delete", netns]);
        await Deno.remove(dir, { recursive: true });
      })();
      return stopped;
    },
  };
}

/**
 * A veth pair from the host into `netns` (`10.214.0.1` ↔ `10.214.0.2`; it goes with the namespace),
 * TLS material for `10.214.0.2`, and the dockerd flags of a `--tlsverify` listener on it.
 */
async function tlsListener(dir: string, netns: string) {
  const [hostSide, engineSide] = [`ba2h${netns.slice(-6)}`, `ba2n${netns.slice(-6)}`];
  await run("ip", ["link", "add", hostSide, "type", "veth", "peer", "name", engineSide, "netns", netns]);
  await run("ip", ["addr", "add", "10.214.0.1/30", "dev", hostSide]);
  await run("ip", ["link", "set", hostSide, "up"]);
  await run("ip", ["netns", "exec", netns, "ip", "addr", "add", "10.214.0.2/30", "dev", engineSide]);
  await run("ip", ["netns", "exec", netns, "ip", "link", "set", engineSide, "up"]);
  const address = "10.214.0.2:2376";
  await Deno.mkdir(`${dir}/tls`);
  const tls = await makeEngineTls(`${dir}/tls`, "10.214.0.2", `${dir}/client/${address}`);
  return {
    url: `tcp://${address}`,
    certPath: `${dir}/client`,
    args: [
      `--host=tcp://${address}`,
      "--tlsverify",
      `--tlscacert=${tls.serverDir}/ca.pem`,
      `--tlscert=${tls.serverDir}/server-cert.pem`,
      `--tlskey=${tls.serverDir}/server-key.pem`,
    ],
  };
}

async function run(program: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(program, { args, stdout: "null", stderr: "piped" })
    .output();
  if (code !== 0) {
    throw new SetupError(`${program} ${args.join(" ")} failed: ${new TextDecoder().decode(stderr).trim()}`);
  }
}

/** Processes whose command line names `dir` (the engine's containerd and shims), killed by pid. */
function killLeftovers(dir: string): void {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let cmdline = "";
    try {
      cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
    } catch {
      continue;
    }
    if (!cmdline.includes(dir)) continue;
    try {
      Deno.kill(Number(entry.name), "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Unmounts whatever is still mounted under `dir`, deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = Deno.readTextFileSync("/proc/mounts").split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((path) => path === dir || path.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const path of mounts) {
    await new Deno.Command("umount", { args: ["-l", path], stdout: "null", stderr: "null" }).output();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, fail: () => Error): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw fail();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function logTail(dir: string): string {
  try {
    return Deno.readTextFileSync(`${dir}/dockerd.log`).split("\n").slice(-20).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Makes `image` on `target` the same image as on `source` (same id), moving it with
 * `docker save | docker load` when it is missing there or another image has its name.
 * @returns whether it was moved.
 */
export async function copyImage(source: Docker, target: Docker, image: string): Promise<boolean> {
  const wanted = (await source.getImage(image).inspect()).Id;
  const present = await target.getImage(image).inspect().then((i) => i.Id, () => undefined);
  if (present === wanted) return false;
  const archive = await source.getImage(image).get();
  const loading = await target.loadImage(archive);
  await new Promise<void>((resolve, reject) => {
    loading.on("error", reject);
    loading.on("end", () => resolve());
    loading.resume();
  });
  const loaded = (await target.getImage(image).inspect()).Id;
  if (loaded !== wanted) {
    throw new SetupError(`Loading ${image} into the second engine gave ${loaded}, not ${wanted}`);
  }
  return true;
}
