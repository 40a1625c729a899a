/**
 * Docker's `*_FILE` convention for secret settings (the one official images such as `postgres` follow):
 * `GITHUB_TOKEN_FILE=/run/secrets/github_token` gives `GITHUB_TOKEN` that file's content, its trailing
 * line breaks removed, so a secret never has to sit in the environment `docker inspect` shows. Which
 * settings are secrets is marked in the settings schema (`config_schema.ts`).
 */

/** The suffix that names a secret's file. */
export const FILE_SUFFIX = "_FILE";

/** The environment with every secret file read in, and what went wrong. */
export interface SecretFilesResult {
  /** `env` plus each secret read from its file (the `_FILE` settings are left as they were). */
  env: Record<string, string | undefined>;
  /** One line per problem, each naming the setting and the fix; never a file's content. */
  problems: string[];
  /** The secrets that came from a file: setting name → its `_FILE` setting. */
  fromFiles: Map<string, string>;
}

/**
 * Reads the `_FILE` of each secret setting in `secrets`.
 * Problems: both `X` and `X_FILE` set; `X_FILE` unreadable (names the file setting and the path);
 * `Y_FILE` set for a setting `Y` of `known` that is not a secret.
 * @param readTextFile reads a file (Deno: `Deno.readTextFileSync`, needs `--allow-read` on it).
 */
export function readSecretFiles(
  env: Record<string, string | undefined>,
  secrets: readonly string[],
  known: readonly string[],
  readTextFile: (path: string) => string,
): SecretFilesResult {
  const out = { ...env };
  const problems: string[] = [];
  const fromFiles = new Map<string, string>();
  for (const name of secrets) {
    const fileSetting = `${name}${FILE_SUFFIX}`;
    const path = env[fileSetting];
    if (path === undefined) continue;
    if (env[name] !== undefined) {
      problems.push(
        `${name} and ${fileSetting} are both set: keep one (${fileSetting} keeps it out of the environment)`,
      );
      continue;
    }
    if (path.trim() === "") {
      problems.push(`${fileSetting} is empty: set it to the path of the file holding ${name}`);
      continue;
    }
    try {
      out[name] = readTextFile(path).replace(/[\r\n]+$/, "");
      fromFiles.set(name, fileSetting);
    } catch (error) {
      problems.push(
        `${fileSetting}: cannot read ${path} (${
          reasonOf(error)
        }); mount the file there and let the service read it`,
      );
    }
  }
  const secretSet = new Set(secrets);
  for (const name of known) {
    if (!secretSet.has(name) && env[`${name}${FILE_SUFFIX}`] !== undefined) {
      problems.push(
        `${name}${FILE_SUFFIX}: ${name} is not a secret and has no file form; set ${name} itself`,
      );
    }
  }
  return { env: out, problems, fromFiles };
}

/** Deno's read errors by class name, in words. */
const READ_FAILURES: Record<string, string> = {
  NotFound: "no such file",
  PermissionDenied: "permission denied",
  NotCapable: "outside the paths the service may read (its --allow-read)",
  IsADirectory: "it is a folder",
};

/** Why a read failed, never anything the file holds. */
function reasonOf(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  return READ_FAILURES[name] ?? (name || "unreadable");
}
