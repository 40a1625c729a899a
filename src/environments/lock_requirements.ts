/**
 * Lock file entries turned into pip arguments: `name==version ; marker` for index packages, `name @ url`
 * for URL and git sources, `./path` or `-e ./path` for local ones. Names, versions and markers are checked,
 * so what reaches pip is a requirement and never an option.
 */
import { EnvironmentSpecError } from "./environment_spec_error.ts";
import { refusalText, resolveRepoPath } from "./repo_path.ts";

/** A PEP 508 name. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** A PEP 440 version, local part included (`2.1.0`, `1.0rc1`, `2.3.0+cpu`). */
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/;

/** `name==version`, with ` ; marker` when the package is needed only where `marker` holds. */
export function pinnedRequirement(
  lock: string,
  name: string,
  version: string | undefined,
  marker: string | undefined,
): string {
  if (!NAME.test(name)) {
    throw new EnvironmentSpecError(`${lock}: ${JSON.stringify(name)} is not a package name`);
  }
  if (version === undefined || !VERSION.test(version)) {
    throw new EnvironmentSpecError(
      `${lock}: package ${name} has no valid version (${JSON.stringify(version)})`,
    );
  }
  return withMarker(`${name}==${version}`, marker);
}

/** `name @ url ; marker` (the space before `;` is PEP 508's, so the URL does not swallow the marker). */
export function urlRequirement(lock: string, name: string, url: string, marker: string | undefined): string {
  if (!NAME.test(name)) {
    throw new EnvironmentSpecError(`${lock}: ${JSON.stringify(name)} is not a package name`);
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/.test(url)) {
    throw new EnvironmentSpecError(
      `${lock}: package ${name} has the source ${JSON.stringify(url)}, not a URL`,
    );
  }
  return withMarker(`${name} @ ${url}`, marker);
}

/** `git+https://host/repo@<commit>#subdirectory=…` from a lock's repository URL, commit and subfolder. */
export function gitUrl(repository: string, commit: string, subdirectory: string | undefined): string {
  return `git+${repository}@${commit}${subdirectory ? `#subdirectory=${subdirectory}` : ""}`;
}

/**
 * A local package's arguments: `["-e", "./libs/x"]` when editable, else `["./libs/x"]`; `path` is relative
 * to the repository root (where pip runs).
 * @throws EnvironmentSpecError when the path is a URL, absolute or leaves the repository.
 */
export function localRequirement(lock: string, name: string, path: string, editable: boolean): string[] {
  const resolved = resolveRepoPath("", path);
  if ("refused" in resolved) {
    throw new EnvironmentSpecError(
      `${lock}: the local package ${name} at ${path} ${
        refusalText(resolved.refused)
      }; only packages inside the repository can be installed`,
    );
  }
  const local = resolved.path === "" ? "." : `./${resolved.path}`;
  return editable ? ["-e", local] : [local];
}

function withMarker(requirement: string, marker: string | undefined): string {
  if (marker === undefined) return requirement;
  if (/[\r\n]/.test(marker)) throw new EnvironmentSpecError(`The marker of ${requirement} spans lines`);
  return `${requirement} ; ${marker}`;
}
