/**
 * Stages the service image's build context in `.build/<target>/`: the Deno binary you run (`deno`), and in
 * `app/` the sources a target needs, a `deno.json` whose imports are only the npm packages its entry points
 * reach, the lock file, and the `node_modules` `deno install` makes from them (from Deno's cache; the npm
 * registry only for what is not cached yet). So the image gets neither the test-only packages (the 385 MB
 * GitHub OpenAPI description, vitest) nor the tests, data or `.git` of the checkout.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand, tailLines } from "./run_command.ts";
import { SetupError } from "./setup_error.ts";

/** The project root (where deno.json is). */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** What one target of the Dockerfile needs. */
export interface StageTarget {
  /** The Dockerfile target, also the folder under `.build/`. */
  name: "service" | "try-it";
  /** Files or folders (relative to the project root) copied as they are; `*.test.ts` files are left out. */
  sources: string[];
  /** Modules whose npm imports are installed. */
  entrypoints: string[];
  /** npm packages read as files rather than imported (so not in the module graph). */
  fileDependencies: string[];
}

/** The service and the Docker API proxy (one image). */
export const SERVICE_TARGET: StageTarget = {
  name: "service",
  // graphile-worker (the PostgreSQL queue) looks for its settings file from the working directory up.
  sources: ["src", ".graphile-workerrc"],
  entrypoints: ["src/main.ts", "src/cli.ts", "src/docker_proxy/main.ts", "src/docker_proxy/health_check.ts"],
  // The bash grammar's WASM, loaded with require.resolve (src/sandbox/command_line.ts).
  fileDependencies: ["tree-sitter-bash"],
};

/** The try-it profile: the service plus the stand-ins and the example repository they serve. */
export const TRY_IT_TARGET: StageTarget = {
  name: "try-it",
  sources: [
    ...SERVICE_TARGET.sources,
    "tests/stand_ins",
    "examples/scenario.ts",
    "examples/scenarios",
    "examples/task_service",
    "examples/try_it/main.ts",
    "examples/try_it/forward.ts",
  ],
  entrypoints: [...SERVICE_TARGET.entrypoints, "examples/try_it/main.ts"],
  fileDependencies: SERVICE_TARGET.fileDependencies,
};

/**
 * Makes `.build/<target.name>/` afresh under `root`. Needs `-A` (runs deno, cp).
 * @returns the staged folder.
 * @throws {SetupError} when `deno info` or `deno install` fails.
 */
export async function stageTarget(target: StageTarget, root = PROJECT_ROOT): Promise<string> {
  const dir = join(root, ".build", target.name);
  await Deno.remove(dir, { recursive: true }).catch(() => undefined);
  await Deno.mkdir(`${dir}/app`, { recursive: true });
  for (const source of target.sources) await copySource(root, source, join(dir, "app"));
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))) as {
    imports: Record<string, string>;
  };
  const used = new Set([...await npmPackagesReached(root, target.entrypoints), ...target.fileDependencies]);
  const imports = Object.fromEntries(
    Object.entries(config.imports).filter(([, value]) => used.has(npmName(value))),
  );
  await Deno.writeTextFile(
    `${dir}/app/deno.json`,
    JSON.stringify({ nodeModulesDir: "auto", imports }, null, 2),
  );
  await Deno.copyFile(join(root, "deno.lock"), `${dir}/app/deno.lock`);
  await deno(["install", "--quiet", "--entrypoint", ...target.entrypoints], `${dir}/app`);
  await pruneNodeModules(join(dir, "app", "node_modules"), target.fileDependencies);
  await Deno.copyFile(Deno.execPath(), `${dir}/deno`);
  return dir;
}

/** `npm:@scope/name@^1.2` → `@scope/name`. */
function npmName(specifier: string): string {
  const match = /^npm:(@?[^@]+)/.exec(specifier);
  return match?.[1] ?? "";
}

async function npmPackagesReached(root: string, entrypoints: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const entry of entrypoints) {
    const info = JSON.parse(await deno(["info", "--json", entry], root)) as {
      modules: Array<{ kind: string; npmPackage?: string }>;
    };
    for (const module of info.modules) {
      if (module.kind === "npm" && module.npmPackage) names.add(module.npmPackage.replace(/(.)@.*$/, "$1"));
    }
  }
  return names;
}

/**
 * What a run never reads: type declarations, source maps, Markdown and packages' own tests (nothing is
 * type-checked in the image), and of a package read as files, everything but its package.json and `.wasm`.
 */
async function pruneNodeModules(modules: string, fileDependencies: string[]): Promise<void> {
  const pruned = await runCommand("find", [
    `${modules}/.deno`,
    "-type",
    "f",
    "(",
    ...["*.d.ts", "*.d.mts", "*.d.cts", "*.map", "*.md", "*.test.ts", "*.test.js"].flatMap((
      name,
      i,
    ) => [...(i ? ["-o"] : []), "-name", name]),
    ")",
    "-delete",
  ]);
  if (pruned.code !== 0) throw new SetupError(`Cannot prune ${modules}: ${pruned.stderr.trim()}`);
  for (const name of fileDependencies) {
    const real = await Deno.realPath(join(modules, name));
    for await (const entry of Deno.readDir(real)) {
      if (entry.name !== "package.json" && !entry.name.endsWith(".wasm")) {
        await Deno.remove(join(real, entry.name), { recursive: true });
      }
    }
  }
}

async function copySource(root: string, source: string, into: string): Promise<void> {
  const parent = source.includes("/") ? source.slice(0, source.lastIndexOf("/")) : "";
  if (parent) await Deno.mkdir(`${into}/${parent}`, { recursive: true });
  const copied = await runCommand("cp", ["-R", join(root, source), join(into, parent)]);
  if (copied.code !== 0) throw new SetupError(`Cannot stage ${source}: ${copied.stderr.trim()}`);
  const tests = await runCommand("find", [`${into}/${source}`, "-name", "*.test.ts", "-delete"]);
  if (tests.code !== 0) throw new SetupError(`Cannot stage ${source}: ${tests.stderr.trim()}`);
}

async function deno(args: string[], cwd: string): Promise<string> {
  const command = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const output = await command.output();
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new SetupError(
      `deno ${args.slice(0, 2).join(" ")} failed in ${cwd}:\n${tailLines(decoder.decode(output.stderr), 15)}`,
    );
  }
  return decoder.decode(output.stdout);
}
