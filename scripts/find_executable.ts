/** Directories searched after PATH: root's tools (dockerd, debootstrap) live there. */
const SYSTEM_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/**
 * The absolute path of an installed program, or undefined. Searches PATH, then
 * the sbin directories (often missing from a non-login PATH).
 * Needs `--allow-env=PATH` and `--allow-read`.
 */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":").filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const path = `${dir}/${name}`;
    try {
      const info = Deno.statSync(path);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** PATH with the sbin directories appended, for child processes that call root's tools. */
export function pathWithSystemDirs(): string {
  return [Deno.env.get("PATH") ?? "/usr/bin:/bin", ...SYSTEM_DIRS].join(":");
}
