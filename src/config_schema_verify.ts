/**
 * The settings of verification and the change set: the tests run in the sandbox, what happens when they
 * fail, and the diff policy (caps, protected paths) checked before anything is committed. Part of the
 * settings schema (`config_schema.ts`).
 */
import { z } from "zod";
import { positiveInt } from "./config_setting_kinds.ts";
import { TEST_COMMAND_MAX_CHARS } from "./contracts/test_run.ts";
import { ON_FAILING_TESTS } from "./pipeline/pipeline_settings.ts";
import { protectedGlobProblem } from "./pipeline/protected_paths.ts";

/**
 * `DIFF_PROTECTED_PATHS`' default: what CI runs or obeys before anyone reviews a change. GitHub's
 * folder (workflows, composite actions, dependabot, CODEOWNERS), CODEOWNERS' other places, the
 * entry points of other CI systems, and the files a CI job runs through before the tests: Makefile,
 * tox, nox, pre-commit, pytest's conftest.py. Not protected by default: dependency manifests
 * (`pyproject.toml`, `requirements*.txt`, `setup.py`, `setup.cfg`), which adding a dependency
 * legitimately changes.
 */
export const DEFAULT_PROTECTED_PATHS = [
  ".github/**",
  "CODEOWNERS",
  "docs/CODEOWNERS",
  ".gitlab-ci.yml",
  ".gitlab/**",
  ".circleci/**",
  ".buildkite/**",
  "Jenkinsfile",
  "azure-pipelines.yml",
  "bitbucket-pipelines.yml",
  ".travis.yml",
  "Makefile",
  "tox.ini",
  "noxfile.py",
  ".pre-commit-config.yaml",
  "**/conftest.py",
] as const;

/** `TEST_COMMAND`, `TEST_TIMEOUT_MS`, `VERIFY_RETRIES`, `PR_ON_FAILING_TESTS`, `DIFF_*`. */
export const verifySettings = {
  TEST_COMMAND: z.string().min(1).max(
    TEST_COMMAND_MAX_CHARS,
    `TEST_COMMAND must be at most ${TEST_COMMAND_MAX_CHARS} characters`,
  ).default("python3 -m pytest -q -p no:cacheprovider"),
  TEST_TIMEOUT_MS: positiveInt("TEST_TIMEOUT_MS", 600_000),
  VERIFY_RETRIES: z.coerce.number({ error: "VERIFY_RETRIES must be a number" }).int().min(0).max(10).default(
    2,
  ),
  PR_ON_FAILING_TESTS: z.enum(ON_FAILING_TESTS, {
    error: `PR_ON_FAILING_TESTS must be one of ${ON_FAILING_TESTS.join(", ")}`,
  }).default("draft"),
  DIFF_MAX_FILES: positiveInt("DIFF_MAX_FILES", 200),
  DIFF_MAX_FILE_BYTES: positiveInt("DIFF_MAX_FILE_BYTES", 1024 * 1024),
  DIFF_MAX_TOTAL_BYTES: positiveInt("DIFF_MAX_TOTAL_BYTES", 5 * 1024 * 1024),
  DIFF_PROTECTED_PATHS: z.string().default(DEFAULT_PROTECTED_PATHS.join(","))
    .transform((v) => v.split(",").map((glob) => glob.trim()).filter(Boolean))
    .refine((globs) => globs.length > 0, "DIFF_PROTECTED_PATHS is empty")
    .superRefine((globs, ctx) => {
      for (const glob of globs) {
        const problem = protectedGlobProblem(glob);
        if (problem) ctx.addIssue({ code: "custom", message: `DIFF_PROTECTED_PATHS: ${problem}` });
      }
    }),
};
