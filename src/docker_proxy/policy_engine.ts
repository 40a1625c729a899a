/**
 * The engine behind the body policies. A policy is a table per JSON object:
 * its exact keys, each with one rule ({@link Fields}). A key outside the table
 * is refused by name; then each rule runs in table order on its field's value
 * (undefined when absent), and the first rule that fails refuses the request
 * with `docker-proxy: <call> refused: <field> <rule>` (403). Rules are built
 * from the constructors in `rule_combinators.ts`, `type_rules.ts` and
 * `value_rules.ts`; they run synchronously unless one returns a promise (a
 * look-up on the engine), and then in order after it.
 */
import { type JsonObject, keyName } from "./body_check.ts";
import { forbidden } from "./refusal.ts";

/** Where a rule runs: the settings, the field, and how to refuse. */
export interface RuleContext<S = unknown> {
  /** What the policy reads besides the body (allowlists, caps, look-ups). */
  readonly settings: S;
  /** The field as refusals name it, e.g. `HostConfig.Mounts[0].Source`. */
  readonly field: string;
  /** The object holding the field (for rules across fields). */
  readonly parent: JsonObject;
  /** Refuses the request, naming this field and `rule`. @throws ProxyRefusal 403. */
  fail(rule: string): never;
  /** The context of `key` of `object`, the value of this field. */
  child(key: string, object: JsonObject): RuleContext<S>;
  /** The context of a part of this field named by `suffix` (`[0]`, `["/tmp"]`). */
  at(suffix: string): RuleContext<S>;
}

/** A check of one value; returns a promise only when it must look something up. */
export type Rule<S = unknown> = (value: unknown, ctx: RuleContext<S>) => void | Promise<void>;

/** A policy table: the exact keys an object may have, each with its rule, checked in this order. */
export type Fields<S = unknown> = Readonly<Record<string, Rule<S>>>;

/**
 * Checks `body` against `fields` for `call` (e.g. `POST /volumes/create`).
 * @throws ProxyRefusal 403 naming the first field outside the policy (or rejects with it, when a rule
 *   looked something up).
 */
export function checkBody<S>(
  call: string,
  body: JsonObject,
  fields: Fields<S>,
  settings: S,
): void | Promise<void> {
  return checkFields(body, fields, new Context(call, settings, "", body));
}

/**
 * {@link checkBody} for a table whose rules never look anything up.
 * @throws ProxyRefusal 403; TypeError when a rule returned a promise (a mistake in the table).
 */
export function checkBodySync<S>(call: string, body: JsonObject, fields: Fields<S>, settings: S): void {
  const pending = checkBody(call, body, fields, settings);
  if (pending) {
    pending.catch(() => undefined);
    throw new TypeError(`the ${call} policy has a rule that returned a promise`);
  }
}

/** Refuses any key of `object` outside `fields`, then runs each field's rule in table order. */
export function checkFields<S>(
  object: JsonObject,
  fields: Fields<S>,
  ctx: RuleContext<S>,
): void | Promise<void> {
  for (const key of Object.keys(object)) {
    if (!Object.hasOwn(fields, key)) ctx.child(keyName(key), object).fail("is not allowed");
  }
  return inOrder(
    Object.entries(fields).map(([key, rule]) => () => rule(object[key], ctx.child(key, object))),
  );
}

/** Runs `steps` one after another: synchronously until one returns a promise, the rest after it settles. */
export function inOrder(steps: ReadonlyArray<() => void | Promise<void>>, from = 0): void | Promise<void> {
  for (let i = from; i < steps.length; i++) {
    const pending = steps[i]!();
    if (pending) return pending.then(() => inOrder(steps, i + 1));
  }
}

class Context<S> implements RuleContext<S> {
  constructor(
    private readonly call: string,
    readonly settings: S,
    readonly field: string,
    readonly parent: JsonObject,
  ) {}

  fail(rule: string): never {
    throw forbidden(`docker-proxy: ${this.call} refused: ${this.field} ${rule}`);
  }

  child(key: string, object: JsonObject): RuleContext<S> {
    return new Context(this.call, this.settings, this.field ? `${this.field}.${key}` : key, object);
  }

  at(suffix: string): RuleContext<S> {
    return new Context(this.call, this.settings, `${this.field}${suffix}`, this.parent);
  }
}
