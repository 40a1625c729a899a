/**
 * The settings schema: every environment variable the service reads, its validation and its default,
 * written once, in the file of its area (`config_schema_*.ts`; the kinds of setting they are made of
 * are in `config_setting_kinds.ts`). `config.ts` turns the parsed settings into the typed
 * {@link Config} passed inward.
 */
import { z } from "zod";
import { secretSettings } from "./config_setting_kinds.ts";
import { apiSettings } from "./config_schema_api.ts";
import { dockerHostSettings } from "./config_schema_docker_hosts.ts";
import { githubSettings } from "./config_schema_github.ts";
import { jobSettings } from "./config_schema_jobs.ts";
import { modelSettings } from "./config_schema_model.ts";
import { sandboxSettings } from "./config_schema_sandbox.ts";
import { verifySettings } from "./config_schema_verify.ts";

/** Every setting the service reads, by area; a setting's name appears in one area only. */
export const settingsSchema = z.object({
  ...apiSettings,
  ...githubSettings,
  ...modelSettings,
  ...dockerHostSettings,
  ...jobSettings,
  ...sandboxSettings,
  ...verifySettings,
});

/** The names of the secret settings, in the schema's order (each also read from its `_FILE`). */
export const SECRET_SETTINGS: readonly string[] = Object.entries(settingsSchema.shape)
  .filter(([, schema]) => secretSettings.has(schema))
  .map(([name]) => name);

/** The parsed environment, before it becomes a {@link Config}. */
export type Settings = z.infer<typeof settingsSchema>;
