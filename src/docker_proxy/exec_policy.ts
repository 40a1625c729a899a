/**
 * The policy for `POST /containers/{id}/exec` and `POST /exec/{id}/start`:
 * a command as a non-root numeric user, never privileged.
 */
import { BodyCheck, brief, type JsonObject } from "./body_check.ts";
import { isNonRootUser } from "./non_root_user.ts";

const CREATE_KEYS = [
  "Cmd",
  "User",
  "WorkingDir",
  "Env",
  "Privileged",
  "Tty",
  "AttachStdin",
  "AttachStdout",
  "AttachStderr",
  "DetachKeys",
];

/**
 * Checks an exec-create body; returns the body to forward.
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkExecCreate(body: JsonObject): JsonObject {
  const check: BodyCheck = new BodyCheck("POST /containers/{id}/exec");
  check.onlyKeys(body, CREATE_KEYS);
  if (body.Privileged != null && body.Privileged !== false) check.fail("Privileged", "must be false");
  if (!isNonRootUser(body.User)) {
    check.fail("User", `must be a non-root numeric uid[:gid], got ${brief(body.User)}`);
  }
  const cmd = check.optionalStrings(body, "Cmd") ?? [];
  if (cmd.length === 0) check.fail("Cmd", "must name a command");
  check.optionalStrings(body, "Env");
  check.optionalString(body, "WorkingDir");
  check.optionalString(body, "DetachKeys");
  for (const key of ["Tty", "AttachStdin", "AttachStdout", "AttachStderr"]) check.optionalBoolean(body, key);
  return body;
}

/**
 * Checks an exec-start body (dockerode adds `hijack` and `stdin`, which the
 * engine ignores); returns what the engine reads: `Detach` and `Tty`.
 * @throws ProxyRefusal 403 naming the field.
 */
export function checkExecStart(body: JsonObject): { Detach: boolean; Tty: boolean } {
  const check: BodyCheck = new BodyCheck("POST /exec/{id}/start");
  check.onlyKeys(body, ["Detach", "Tty", "hijack", "stdin"]);
  const detach = check.optionalBoolean(body, "Detach") ?? false;
  const tty = check.optionalBoolean(body, "Tty") ?? false;
  check.optionalBoolean(body, "hijack");
  check.optionalBoolean(body, "stdin");
  return { Detach: detach, Tty: tty };
}
