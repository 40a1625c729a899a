/**
 * Makes sure a Chromium the browser tests can drive is installed: Debian's `chromium` package
 * (no browser download at run time). When it is missing and we run as root on Debian/Ubuntu,
 * installs it with apt-get, saying so; elsewhere one message names the fix.
 * Needs `-A` (reads PATH and /etc/os-release, runs apt-get).
 */
import { findOrAptInstall } from "./apt_install.ts";
import { findExecutable } from "./find_executable.ts";

/** The program names Chromium is installed under, Debian's first. */
const NAMES = ["chromium", "chromium-browser"];

/** The installed Chromium's path, or undefined. */
export function findChromium(): string | undefined {
  const override = Deno.env.get("CHROMIUM_PATH");
  if (override) return override;
  for (const name of NAMES) {
    const path = findExecutable(name);
    if (path) return path;
  }
  return undefined;
}

/**
 * The path of a Chromium, installing Debian's `chromium` with apt-get when none is found.
 * `CHROMIUM_PATH` names one explicitly.
 * @throws {SetupError} when none is installed and apt cannot install one here.
 */
export function ensureChromium(log: (line: string) => void = console.log): Promise<string> {
  return findOrAptInstall({
    aptPackage: "chromium",
    find: findChromium,
    missing: "The browser tests need Chromium: install it (Debian/Ubuntu: apt-get install chromium) or set " +
      "CHROMIUM_PATH to its program, then run again.",
    lookedFor: "a chromium program on PATH",
    log,
  });
}
