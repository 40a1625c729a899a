/** The files a local install builds from, hashed into an environment's cache key. */
import { PYPROJECT } from "./pyproject.ts";

/**
 * True for files a local install (`-e .`, `-e ./pkg`, `./vendor/x.whl`, a lock's path source) builds
 * from, in any folder: `setup.py`, `setup.cfg`, `pyproject.toml`, and package archives.
 */
export function isInstallInput(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name === "setup.py" || name === "setup.cfg" || name === PYPROJECT ||
    /\.(whl|tar\.gz|tgz|zip|tar\.bz2)$/i.test(name);
}
