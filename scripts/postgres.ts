/**
 * A throwaway PostgreSQL server for tests and benchmarks: Debian's `postgresql` package (installed
 * with apt-get as root on Debian/Ubuntu when `initdb` is missing, as `docker_engine.ts` does for
 * Docker), a fresh data directory in the temp folder, listening on a loopback port and a unix socket
 * in that directory, trust authentication for the `postgres` user only on loopback. As root (CI),
 * `initdb` and `pg_ctl` run as the `postgres` user, which owns the directory. Needs `-A`.
 */
import { existsSync, readdirSync } from "node:fs";
import { findOrAptInstall } from "./apt_install.ts";
import { freePort } from "./free_port.ts";
import { runCommand, tailLines } from "./run_command.ts";
import { SetupError } from "./setup_error.ts";

/** A running throwaway server; {@link ThrowawayPostgres.stop} removes its data directory. */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  port: number;
  /** A `postgres://` URL of database `name` on this server. */
  urlOf(name: string): string;
  /** Creates database `name` and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server fast (`pg_ctl stop -m fast`: clients are disconnected) and starts it again. */
  restart(): Promise<void>;
  /** Stops the server and removes its data directory; idempotent. */
  stop(): Promise<void>;
}

const PG_ROOT = "/usr/lib/postgresql";

/**
 * Starts a new server on a free loopback port.
 * @throws {SetupError} naming the fix when PostgreSQL is missing and cannot be installed, or when
 *   `initdb` or `pg_ctl start` fails (with the end of its log).
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = await postgresBinDir();
  const dir = await Deno.makeTempDir({ prefix: "backend-agent-pg-" });
  const data = `${dir}/data`;
  const asRoot = Deno.uid() === 0;
  if (asRoot) await must("chown", ["postgres:postgres", dir]);
  await Deno.chmod(dir, 0o700);
  const run = (program: string, args: string[]) =>
    asRoot ? must("runuser", ["-u", "postgres", "--", program, ...args]) : must(program, args);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const ctl = (...args: string[]) => run(`${bin}/pg_ctl`, ["-D", data, "-l", `${dir}/server.log`, ...args]);
  const start = () => ctl("-o", options, "-w", "-t", "60", "start");
  try {
    await run(`${bin}/initdb`, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
    await start();
  } catch (error) {
    // Nothing is left behind: a server that half started is stopped, and its folder removed.
    await ctl("-m", "immediate", "stop").catch(() => undefined);
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
    throw error;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const urlOf = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    url,
    port,
    urlOf,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new SetupError(`Bad database name "${name}"`);
      await must(`${bin}/psql`, [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "postgres",
        "-c",
        `CREATE DATABASE ${name}`,
      ]);
      return urlOf(name);
    },
    async restart() {
      await ctl("-m", "fast", "-w", "stop");
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await ctl("-m", "immediate", "-w", "stop").catch(() => undefined);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The newest installed server's `bin` folder, installing `postgresql` with apt-get when none is. */
function postgresBinDir(): Promise<string> {
  return findOrAptInstall({
    aptPackage: "postgresql",
    find: newestBinDir,
    missing: "PostgreSQL is not installed (no initdb under /usr/lib/postgresql). Install it " +
      "(Debian/Ubuntu: apt-get install postgresql) and run again.",
    lookedFor: "an initdb under /usr/lib/postgresql",
  });
}

function newestBinDir(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT).filter((v) => existsSync(`${PG_ROOT}/${v}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : `${PG_ROOT}/${versions[0]}/bin`;
}

async function must(program: string, args: string[]): Promise<void> {
  const result = await runCommand(program, args, { timeoutMs: 120_000 });
  if (result.code !== 0) {
    throw new SetupError(
      `${program.split("/").pop()} ${args.slice(0, 3).join(" ")} failed (exit ${result.code}):\n${
        tailLines(result.stdout + result.stderr)
      }`,
    );
  }
}
