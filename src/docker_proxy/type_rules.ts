/**
 * Rules on the JSON type of a field, for the policy tables: scalars, lists of
 * strings (the engine reads a lone string as a list of one), string maps,
 * nested objects with their own table, and lists of checked items. Each
 * refuses an absent field unless wrapped in `optional`.
 */
import { isObject, keyName } from "./body_check.ts";
import { checkFields, type Fields, inOrder, type Rule, type RuleContext } from "./policy_engine.ts";
import { must } from "./rule_combinators.ts";

/** Any value (a field the policy passes through unread). */
export const anything: Rule = () => undefined;

/** A string. */
export const string: Rule = must((v) => typeof v === "string", "must be a string");

/** A boolean. */
export const boolean: Rule = must((v) => typeof v === "boolean", "must be a boolean");

/** A safe integer. */
export const integer: Rule = must((v) => Number.isSafeInteger(v), "must be an integer");

/** A safe integer above 0; the message says it must be set. */
export const positiveInteger: Rule = must(
  (v) => typeof v === "number" && Number.isSafeInteger(v) && v > 0,
  "must be set to a positive integer",
);

/** A string or a list of strings. */
export const strings: Rule = must(
  (v) => typeof v === "string" || (Array.isArray(v) && v.every((s) => typeof s === "string")),
  "must be a list of strings",
);

/** An object whose values are all strings (labels, tmpfs options, driver options). */
export const stringMap: Rule = (value: unknown, ctx: RuleContext) => {
  if (!isObject(value)) ctx.fail("must be an object");
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") ctx.at(`[${keyName(key)}]`).fail("must be a string");
  }
};

/** An object checked against its own table: exact keys, a rule per field. */
export function object<S>(fields: Fields<S>): Rule<S> {
  return (value: unknown, ctx: RuleContext<S>) => {
    if (!isObject(value)) ctx.fail("must be an object");
    return checkFields(value, fields, ctx);
  };
}

/** A list whose items each pass `item`, in order (item `i` is named `[i]`). */
export function listOf<S>(item: Rule<S>): Rule<S> {
  return (value: unknown, ctx: RuleContext<S>) => {
    if (!Array.isArray(value)) ctx.fail("must be a list");
    return inOrder(value.map((v, i) => () => item(v, ctx.at(`[${i}]`))));
  };
}

/** A field holding a string or a list of strings, as a list (absent or null: empty). */
export function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return typeof value === "string" ? [value] : value as string[];
}
