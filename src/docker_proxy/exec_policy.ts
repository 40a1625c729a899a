/**
 * The policy for `POST /containers/{id}/exec` and `POST /exec/{id}/start`, as
 * tables: a command as the sandbox user or the programs user, never privileged.
 */
import type { JsonObject } from "./body_check.ts";
import { execUser } from "./non_root_user.ts";
import { checkBodySync, type Fields } from "./policy_engine.ts";
import { all, optional } from "./rule_combinators.ts";
import { boolean, string, strings } from "./type_rules.ts";
import { mustBe, nonEmpty } from "./value_rules.ts";

const EXEC_CREATE: Fields = {
  Privileged: optional(mustBe(false)),
  User: execUser,
  Cmd: all(optional(strings), nonEmpty("must name a command")),
  Env: optional(strings),
  WorkingDir: optional(string),
  DetachKeys: optional(string),
  Tty: optional(boolean),
  AttachStdin: optional(boolean),
  AttachStdout: optional(boolean),
  AttachStderr: optional(boolean),
};

/** dockerode adds `hijack` and `stdin`, which the engine ignores. */
const EXEC_START: Fields = {
  Detach: optional(boolean),
  Tty: optional(boolean),
  hijack: optional(boolean),
  stdin: optional(boolean),
};

/**
 * Checks an exec-create body; returns the body to forward.
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkExecCreate(body: JsonObject): JsonObject {
  checkBodySync("POST /containers/{id}/exec", body, EXEC_CREATE, undefined);
  return body;
}

/**
 * Checks an exec-start body; returns what the engine reads: `Detach` and `Tty`.
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkExecStart(body: JsonObject): { Detach: boolean; Tty: boolean } {
  checkBodySync("POST /exec/{id}/start", body, EXEC_START, undefined);
  return { Detach: (body.Detach as boolean | null) ?? false, Tty: (body.Tty as boolean | null) ?? false };
}
