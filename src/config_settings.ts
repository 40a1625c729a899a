/**
 * Reading the settings from the environment: secret settings' `_FILE`s, the settings schema, and one
 * {@link ConfigError} naming every problem at once (each with the file it was read from, if any).
 */
import { MISSING_GITHUB_CREDENTIALS } from "./config_github.ts";
import { SECRET_SETTINGS, type Settings, settingsSchema } from "./config_schema.ts";
import { FILE_SUFFIX, readSecretFiles } from "./config_secret_files.ts";
import { ConfigError } from "./errors.ts";

/**
 * Parses the environment with the settings schema; a secret setting may come from a file instead
 * (`GITHUB_TOKEN_FILE` and so on: `config_secret_files.ts`).
 * @param env the environment.
 * @param readTextFile reads the `_FILE` settings' files.
 * @throws ConfigError listing every invalid or missing setting, one `  - ` line each.
 */
export function parseSettings(
  env: Record<string, string | undefined>,
  readTextFile: (path: string) => string,
): Settings {
  const files = readSecretFiles(env, SECRET_SETTINGS, Object.keys(settingsSchema.shape), readTextFile);
  const parsed = settingsSchema.safeParse(files.env);
  const problems = files.problems.map((p) => `  - ${p}`);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const setting = String(issue.path[0] ?? "");
      // A secret whose file could not be read is already named; its schema issue would only repeat it.
      if (env[`${setting}${FILE_SUFFIX}`] !== undefined && !files.fromFiles.has(setting)) continue;
      const file = files.fromFiles.get(setting);
      problems.push(
        `  - ${issue.message}${issue.path.length ? ` (${issue.path.join(".")})` : ""}${
          file ? ` (read from ${file})` : ""
        }`,
      );
    }
    if (
      !files.env.GITHUB_TOKEN && !files.env.GITHUB_APP_ID && env[`GITHUB_TOKEN${FILE_SUFFIX}`] === undefined
    ) {
      problems.unshift(`  - ${MISSING_GITHUB_CREDENTIALS}`);
    }
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  }
  return parsed.data;
}
