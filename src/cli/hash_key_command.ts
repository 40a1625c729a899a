/** `deno task hash-key`: a new API key and its hash, or the hash of the key on stdin. */
import { generateApiKey, hashApiKey } from "../api/auth/api_keys.ts";
import type { CliIo } from "./cli_io.ts";

/** Prints a key and hash for `API_KEYS`. @returns the exit code. */
export async function hashKeyCommand(args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) {
    io.err(
      "hash-key takes no arguments (a key on the command line ends up in shell history): pipe it on stdin",
    );
    return 2;
  }
  // Empty stdin (no terminal, nothing piped) counts as no key given.
  const given = (await io.readStdin())?.trim() || undefined;
  const key = given ?? generateApiKey();
  if (given === undefined) {
    io.out(`key:  ${key}`);
    io.out("      (give this to the client; it is not stored anywhere)");
  }
  io.out(`hash: ${hashApiKey(key)}`);
  io.out(
    `API_KEYS='[{"name":"NAME","hash":"${
      hashApiKey(key)
    }","scopes":["jobs:read","jobs:write"],"repos":["OWNER/*"]}]'`,
  );
  return 0;
}
