/**
 * Bedrock credentials from an AWS profile (`AWS_PROFILE`) in a process started with the `start` task's
 * own permissions, read from `deno.json`: the shared config files under `$HOME` are outside what the
 * service may read, and the refusal says so and where to put them; named by `AWS_SHARED_CREDENTIALS_FILE`
 * in a folder the service reads (as `/run/secrets` is), the same profile signs.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fileURLToPath } from "node:url";
import { homeEnv, processEnv, startTaskPermissions } from "../service_process.ts";

const RESOLVE = fileURLToPath(new URL("./aws_credentials_process.ts", import.meta.url));
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const PROFILE = `[agents]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${SECRET}\n`;

let home: string;
let secrets: string;

beforeAll(async () => {
  home = await Deno.makeTempDir({ prefix: "aws-home-" });
  secrets = await Deno.makeTempDir({ prefix: "aws-secrets-" });
  await Deno.mkdir(`${home}/.aws`);
  await Deno.writeTextFile(`${home}/.aws/credentials`, PROFILE);
  await Deno.writeTextFile(`${secrets}/aws-credentials`, PROFILE);
});

afterAll(async () => {
  for (const dir of [home, secrets]) if (dir) await Deno.remove(dir, { recursive: true });
});

/** Resolves the AWS credentials in a new process with `permissions` and `settings`; its JSON line. */
async function resolve(permissions: string[], settings: Record<string, string>) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, RESOLVE],
    clearEnv: true,
    env: processEnv({
      ...homeEnv(home),
      AWS_PROFILE: "agents",
      AWS_EC2_METADATA_DISABLED: "true",
      ...settings,
    }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  expect(code, new TextDecoder().decode(stderr)).toBe(0);
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "");
}

describe("AWS_PROFILE with the start task's permissions", () => {
  test("a profile in ~/.aws: the refusal names the unreadable files and AWS_SHARED_CREDENTIALS_FILE, not the key", async () => {
    const { refused } = await resolve(await startTaskPermissions(), {});
    expect(refused).toMatch(/^No AWS credentials: /);
    expect(refused).toContain(
      `The service may not read ${home}/.aws/config and ${home}/.aws/credentials (outside its --allow-read): ` +
        "put the shared config files under /run/secrets and name them in AWS_CONFIG_FILE and " +
        "AWS_SHARED_CREDENTIALS_FILE",
    );
    expect(refused).not.toContain(SECRET);
  });

  test("the same profile in a file the service may read, named by AWS_SHARED_CREDENTIALS_FILE, resolves", async () => {
    const permissions = (await startTaskPermissions()).map((flag) =>
      flag.startsWith("--allow-read=") ? `${flag},${secrets}` : flag
    );
    expect(await resolve(permissions, { AWS_SHARED_CREDENTIALS_FILE: `${secrets}/aws-credentials` }))
      .toEqual({ resolved: true });
  });
});
