/**
 * Rules on the value of a field, for the policy tables: fixed values, empty
 * fields, what a list of strings holds, labels, and allowlists and caps read
 * from the settings. Each runs after the field's type rule, if any.
 */
import { brief, isObject } from "./body_check.ts";
import type { Rule } from "./policy_engine.ts";
import { all, must, optional } from "./rule_combinators.ts";
import { asList, stringMap } from "./type_rules.ts";

/** A cap from the settings: its value and how a refusal names it (`PROXY_MAX_PIDS=1024`). */
export type Setting<S> = (settings: S) => { cap: number; name: string };

/**
 * One of `values` (compared with `===`). The refusal lists them
 * (`must be "private" or "none"`) and, when they are strings, what was sent (`, got "host"`).
 */
export function oneOf(...values: ReadonlyArray<string | number | boolean>): Rule {
  const listed = values.map((v) => JSON.stringify(v)).join(" or ");
  const got = values.every((v) => typeof v === "string");
  return must(
    (v) => values.includes(v as string),
    (v) => `must be ${listed}${got ? `, got ${brief(v)}` : ""}`,
  );
}

/** Exactly `value`. */
export function mustBe(value: string | number | boolean): Rule {
  return oneOf(value);
}

/** Absent, null or an empty list. */
export const emptyList: Rule = optional(
  must((v) => Array.isArray(v) && v.length === 0, (v) => `must be empty, got ${brief(v)}`),
);

/** Absent, null or "". */
export const emptyText: Rule = must(
  (v) => v === undefined || v === null || v === "",
  (v) => `must be empty, got ${brief(v)}`,
);

/** A string, or a list of strings with at least one; `message` otherwise. */
export function nonEmpty(message: string): Rule {
  return must((v) => asList(v).length > 0, message);
}

/** A list of strings holding `value`, compared ignoring case. */
export function containsIgnoringCase(value: string): Rule {
  return must(
    (v) => asList(v).some((s) => s.toUpperCase() === value.toUpperCase()),
    `must contain "${value}"`,
  );
}

/** A list of strings holding nothing but `values` (called `name` in the refusal). */
export function onlyFrom(values: readonly string[], name: string): Rule {
  return (v, ctx) => {
    for (const s of asList(v)) if (!values.includes(s)) ctx.fail(`may only hold ${name}, got ${brief(s)}`);
  };
}

/** A string map holding `label=value`. */
export function labelsInclude(label: string, value = "true"): Rule {
  return all(
    optional(stringMap),
    must((v) => isObject(v) && v[label] === value, `must include ${label}=${value}`),
  );
}

/** A string in the set `allowed` picks from the settings; `message` says why not. */
export function listedIn<S>(
  allowed: (settings: S) => ReadonlySet<string>,
  message: (value: unknown, allowed: ReadonlySet<string>) => string,
): Rule<S> {
  return (v, ctx) => {
    const set = allowed(ctx.settings);
    if (typeof v !== "string" || !set.has(v)) ctx.fail(message(v, set));
  };
}

/** A number (already type-checked) of at most the cap `setting` gives. */
export function atMost<S>(setting: Setting<S>): Rule<S> {
  return (v, ctx) => {
    const { cap, name } = setting(ctx.settings);
    if ((v as number) > cap) ctx.fail(atMostText(cap, name, v));
  };
}

/** `must be at most <cap> (<name>), got <got>`. */
export function atMostText(cap: number, name: string, got: unknown): string {
  return `must be at most ${cap} (${name}), got ${got}`;
}
