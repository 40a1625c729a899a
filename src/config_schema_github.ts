/**
 * The settings of GitHub: credentials (a token or an App), the API's URL and retries, webhooks, the
 * pull requests' head and draft state, and the project board's columns. Part of the settings schema
 * (`config_schema.ts`).
 */
import { z } from "zod";
import { repoNameProblem } from "./api/repo_name.ts";
import { bool, optionalPositiveInt, positiveInt, secret, token } from "./config_setting_kinds.ts";

/** `GITHUB_*`, `TRIGGER_LABEL`, `PR_DRAFT`, `PR_HEAD_REPO`, `PROJECT_STATUS_*`. */
export const githubSettings = {
  GITHUB_TOKEN: secret(token("GITHUB_TOKEN")),
  GITHUB_APP_ID: optionalPositiveInt("GITHUB_APP_ID"),
  GITHUB_APP_PRIVATE_KEY: secret(z.string().min(1, "GITHUB_APP_PRIVATE_KEY is empty").optional()),
  GITHUB_APP_PRIVATE_KEY_PATH: z.string().min(1, "GITHUB_APP_PRIVATE_KEY_PATH is empty").optional(),
  GITHUB_APP_INSTALLATION_ID: optionalPositiveInt("GITHUB_APP_INSTALLATION_ID"),
  GITHUB_RETRY_BASE_MS: positiveInt("GITHUB_RETRY_BASE_MS", 1000),
  GITHUB_RETRIES: z.coerce.number({ error: "GITHUB_RETRIES must be a number" }).int().min(0).max(
    10,
    "GITHUB_RETRIES must be 0–10",
  )
    .default(3),
  GITHUB_API_URL: z.url({ error: "GITHUB_API_URL must be a URL" }).default("https://api.github.com"),
  GITHUB_WEBHOOK_SECRET: secret(
    z.string().min(16, "GITHUB_WEBHOOK_SECRET must be at least 16 characters").optional(),
  ),
  GITHUB_BOT_LOGIN: z.string().trim().regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/,
    'GITHUB_BOT_LOGIN must be a GitHub login, e.g. "my-agent[bot]"',
  ).optional(),
  TRIGGER_LABEL: z.string().trim().min(1, "TRIGGER_LABEL is empty").max(50, "TRIGGER_LABEL is too long")
    .default("agent"),
  PR_DRAFT: bool(true),
  PR_HEAD_REPO: z.string().optional().superRefine((repo, ctx) => {
    const problem = repo === undefined ? undefined : repoNameProblem(repo);
    if (problem) ctx.addIssue({ code: "custom", message: `PR_HEAD_REPO: ${problem}` });
  }),
  PROJECT_STATUS_IN_PROGRESS: z.string().trim().min(1, "PROJECT_STATUS_IN_PROGRESS is empty").default(
    "In Progress",
  ),
  PROJECT_STATUS_IN_REVIEW: z.string().trim().min(1, "PROJECT_STATUS_IN_REVIEW is empty").default(
    "In Review",
  ),
};
