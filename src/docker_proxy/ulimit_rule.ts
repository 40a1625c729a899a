/**
 * One entry of `HostConfig.Ulimits`: `{Name, Soft, Hard}` with a name from the
 * given table, `0 <= Soft <= Hard` (so never -1, unlimited), and `Hard` at
 * most the cap the table gives for that name.
 */
import { brief, isObject } from "./body_check.ts";
import type { Rule, RuleContext } from "./policy_engine.ts";
import { atMostText, type Setting } from "./value_rules.ts";

const KEYS = ["Name", "Soft", "Hard"];

/** The rule for one ulimit, with `limits` mapping each allowed name to its cap. */
export function ulimit<S>(limits: Readonly<Record<string, Setting<S>>>): Rule<S> {
  const names = Object.keys(limits);
  const listed = `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
  return (u: unknown, ctx: RuleContext<S>) => {
    const ok = isObject(u) && Object.keys(u).every((k) => KEYS.includes(k)) && typeof u.Name === "string" &&
      Number.isSafeInteger(u.Soft) && Number.isSafeInteger(u.Hard);
    if (!ok) ctx.fail("must be {Name, Soft, Hard}");
    const { Name: name, Soft: soft, Hard: hard } = u as { Name: string; Soft: number; Hard: number };
    const limit = Object.hasOwn(limits, name) ? limits[name] : undefined;
    if (!limit) return ctx.child("Name", u).fail(`may only be ${listed}, got ${brief(name)}`);
    if (soft < 0 || soft > hard) ctx.fail(`${name} needs 0 <= Soft <= Hard, got ${soft} and ${hard}`);
    const { cap, name: setting } = limit(ctx.settings);
    if (hard > cap) ctx.child("Hard", u).fail(`${name} ${atMostText(cap, setting, hard)}`);
  };
}
