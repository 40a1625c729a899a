/**
 * The engine under the body policies and its rule constructors: exact keys,
 * rules in table order, refusals naming the field, and look-ups awaited in
 * order without making a synchronous table asynchronous.
 */
import { describe, expect, test } from "vitest";
import type { JsonObject } from "../../src/docker_proxy/body_check.ts";
import { checkBody, checkBodySync, type Fields, type Rule } from "../../src/docker_proxy/policy_engine.ts";
import { all, defaultOr, defaultsTo, optional, required } from "../../src/docker_proxy/rule_combinators.ts";
import { boolean, listOf, object, stringMap, strings } from "../../src/docker_proxy/type_rules.ts";
import {
  atMost,
  containsIgnoringCase,
  emptyList,
  emptyText,
  labelsInclude,
  mustBe,
  nonEmpty,
  oneOf,
  onlyFrom,
} from "../../src/docker_proxy/value_rules.ts";

const CALL = "POST /things";

/** The refusal message `rule` gives `value` as field `F`, or "passes". */
function verdict(rule: Rule<{ max: number }>, value: unknown): string {
  try {
    checkBodySync(CALL, value === undefined ? {} : { F: value }, { F: rule }, { max: 3 });
    return "passes";
  } catch (error) {
    return (error as Error).message.replace(`docker-proxy: ${CALL} refused: `, "");
  }
}

describe("rule constructors", () => {
  test.each<[string, Rule<{ max: number }>, unknown, string]>([
    ["mustBe a string names what was sent", mustBe("none"), "host", 'F must be "none", got "host"'],
    ["mustBe a string, absent", mustBe("none"), undefined, 'F must be "none", got nothing'],
    ["mustBe a boolean", mustBe(true), false, "F must be true"],
    [
      "oneOf lists every value",
      oneOf("private", "none"),
      "host",
      'F must be "private" or "none", got "host"',
    ],
    ["optional skips absent and null", optional(mustBe(false)), null, "passes"],
    ["defaultOr skips the engine's default", defaultOr(oneOf("local")), "", "passes"],
    ["defaultOr checks anything else", defaultOr(oneOf("local")), "nfs", 'F must be "local", got "nfs"'],
    ["required names what is missing", required("is required", boolean), null, "F is required"],
    ["defaultsTo checks the fallback", defaultsTo("", nonEmpty("must be set")), undefined, "passes"],
    ["emptyList", emptyList, ["SYS_ADMIN"], 'F must be empty, got ["SYS_ADMIN"]'],
    ["emptyList takes absence", emptyList, undefined, "passes"],
    ["emptyText", emptyText, "host", 'F must be empty, got "host"'],
    ["strings takes a lone string", strings, "bash", "passes"],
    ["strings", strings, [1], "F must be a list of strings"],
    ["nonEmpty", all(optional(strings), nonEmpty("must name a command")), [], "F must name a command"],
    ["containsIgnoringCase", containsIgnoringCase("ALL"), ["all"], "passes"],
    ["onlyFrom", onlyFrom(["a"], "a"), ["a", "b"], 'F may only hold a, got "b"'],
    ["stringMap names the entry", stringMap, { "a b": 1 }, 'F["a b"] must be a string'],
    ["labelsInclude", labelsInclude("managed"), { other: "true" }, "F must include managed=true"],
    [
      "atMost reads the setting",
      atMost(({ max }) => ({ cap: max, name: "MAX=3" })),
      4,
      "F must be at most 3 (MAX=3), got 4",
    ],
    ["object: exact keys", object({ A: boolean }), { A: true, a: true }, "F.a is not allowed"],
    ["object: its fields", object({ A: boolean }), { A: 1 }, "F.A must be a boolean"],
    [
      "listOf names the item",
      listOf(object({ A: boolean })),
      [{ A: true }, { B: 1 }],
      "F[1].B is not allowed",
    ],
    ["listOf", listOf(boolean), {}, "F must be a list"],
  ])("%s", (_what, rule, value, expected) => {
    expect(verdict(rule, value)).toBe(expected);
  });
});

describe("the engine", () => {
  test("unknown keys are refused first, quoted when not plain; then rules run in table order", () => {
    const fields: Fields = { B: mustBe(true), A: mustBe(true) };
    expect(() => checkBodySync(CALL, { A: 1, B: 1, "x y": 1 }, fields, undefined)).toThrow(
      'docker-proxy: POST /things refused: "x y" is not allowed',
    );
    expect(() => checkBodySync(CALL, { A: 1, B: 1 }, fields, undefined)).toThrow("refused: B must be true");
  });

  test("a look-up is awaited before the next rule, and its refusal is the request's", async () => {
    const seen: string[] = [];
    const lookUp = (name: string): Rule => (v, ctx) =>
      Promise.resolve().then(() => {
        seen.push(name);
        if (v === "bad") ctx.fail("was looked up and refused");
      });
    const fields: Fields = { A: lookUp("A"), B: lookUp("B"), C: mustBe("c") };
    await expect(checkBody(CALL, { A: "ok", B: "bad", C: "c" } as JsonObject, fields, undefined)).rejects
      .toThrow(
        "refused: B was looked up and refused",
      );
    expect(seen).toEqual(["A", "B"]);
    expect(() => checkBodySync(CALL, { A: "ok" }, fields, undefined)).toThrow(TypeError);
  });

  test("a table without look-ups refuses synchronously (no promise to await)", () => {
    expect(checkBody(CALL, { A: true }, { A: boolean }, undefined)).toBeUndefined();
  });
});
