/**
 * Rules made of other rules, for the policy tables (`policy_engine.ts`): when
 * a field may be absent, what an absent field counts as, several rules on one
 * field, and a one-off test with its message.
 */
import { inOrder, type Rule } from "./policy_engine.ts";

/** Every rule in turn, on the same value; the first failure refuses. */
export function all<S>(...rules: Rule<S>[]): Rule<S> {
  return (value, ctx) => inOrder(rules.map((rule) => () => rule(value, ctx)));
}

/** `rule`, unless the field is absent or null. */
export function optional<S>(rule: Rule<S>): Rule<S> {
  return (value, ctx) => value === undefined || value === null ? undefined : rule(value, ctx);
}

/** `rule`, unless the field is absent, null or "" (the engine's default). */
export function defaultOr<S>(rule: Rule<S>): Rule<S> {
  return (value, ctx) => value === undefined || value === null || value === "" ? undefined : rule(value, ctx);
}

/** Refuses an absent or null field with `message`; otherwise `rule`. */
export function required<S>(message: string, rule: Rule<S>): Rule<S> {
  return (value, ctx) => value === undefined || value === null ? ctx.fail(message) : rule(value, ctx);
}

/** `rule` on `fallback` when the field is absent or null (so the rules inside still apply). */
export function defaultsTo<S>(fallback: unknown, rule: Rule<S>): Rule<S> {
  return (value, ctx) => rule(value ?? fallback, ctx);
}

/** Refuses with `message` (or `message(value)`) unless `test` holds. */
export function must<S = unknown>(
  test: (value: unknown, ctx: { settings: S; parent: Record<string, unknown> }) => boolean,
  message: string | ((value: unknown) => string),
): Rule<S> {
  return (value, ctx) => {
    if (!test(value, ctx)) ctx.fail(typeof message === "string" ? message : message(value));
  };
}
