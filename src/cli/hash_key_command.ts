/**
 * `deno task hash-key [--name ci] [--repos 'acme/*,acme/api'] [--scopes jobs:read,jobs:write]`: a new API
 * key and the `API_KEYS` entry holding its hash, ready to paste; or the hash of the key piped on stdin.
 * Without `--name` or `--repos` the entry holds placeholders ({@link API_KEY_PLACEHOLDERS}), which the
 * service warns about at start-up.
 */
import { parseArgs } from "node:util";
import { API_KEY_PLACEHOLDERS, generateApiKey, hashApiKey, parseApiKeys } from "../api/auth/api_keys.ts";
import type { CliIo } from "./cli_io.ts";

const USAGE = "Usage: deno task hash-key [--name ci] [--repos 'acme/*,acme/api'] " +
  "[--scopes jobs:read,jobs:write]  (pipe a key on stdin to hash that key)";

const list = (value: string | undefined) => value?.split(/[\s,]+/).filter(Boolean);

/** Prints a key and its `API_KEYS` entry. @returns the exit code (2 on bad arguments). */
export async function hashKeyCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { name: { type: "string" }, repos: { type: "string" }, scopes: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const positional = /positional/i.test((error as Error).message);
    io.err(
      positional
        ? "hash-key takes no key argument (a key on the command line ends up in shell history): pipe it on stdin"
        : `${(error as Error).message}\n${USAGE}`,
    );
    return 2;
  }
  // Empty stdin (no terminal, nothing piped) counts as no key given.
  const given = (await io.readStdin())?.trim() || undefined;
  const key = given ?? generateApiKey();
  const entry = {
    name: values.name ?? API_KEY_PLACEHOLDERS.name,
    hash: hashApiKey(key),
    scopes: list(values.scopes) ?? ["jobs:read", "jobs:write"],
    repos: list(values.repos) ?? [API_KEY_PLACEHOLDERS.repo],
  };
  const json = JSON.stringify([entry]);
  try {
    // The service's own parser: what is printed is what it accepts.
    parseApiKeys(json);
  } catch (error) {
    io.err(`${(error as Error).message.replace(/^API_KEYS\[0\]\./, "--")}\n${USAGE}`);
    return 2;
  }
  if (given === undefined) {
    io.out(`key:  ${key}`);
    io.out("      (give this to the client; it is not stored anywhere)");
  }
  io.out(`hash: ${entry.hash}`);
  io.out(`API_KEYS='${json}'`);
  if (values.name === undefined || values.repos === undefined) {
    io.err(
      `The entry holds placeholders (${values.name === undefined ? `"${API_KEY_PLACEHOLDERS.name}"` : ""}${
        values.name === undefined && values.repos === undefined ? ", " : ""
      }${
        values.repos === undefined ? `"${API_KEY_PLACEHOLDERS.repo}"` : ""
      }): edit them, or run again with ` +
        "--name and --repos for an entry ready to paste.",
    );
  }
  return 0;
}
