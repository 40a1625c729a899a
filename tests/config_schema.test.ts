import { expect, test } from "vitest";
import { settingsSchema } from "../src/config_schema.ts";
import { apiSettings } from "../src/config_schema_api.ts";
import { dockerHostSettings } from "../src/config_schema_docker_hosts.ts";
import { githubSettings } from "../src/config_schema_github.ts";
import { jobSettings } from "../src/config_schema_jobs.ts";
import { modelSettings } from "../src/config_schema_model.ts";
import { sandboxSettings } from "../src/config_schema_sandbox.ts";
import { verifySettings } from "../src/config_schema_verify.ts";

const AREAS = {
  apiSettings,
  githubSettings,
  modelSettings,
  dockerHostSettings,
  jobSettings,
  sandboxSettings,
  verifySettings,
};

test("each setting is written in one area only (a second one would silently replace the first)", () => {
  const areasOf = new Map<string, string[]>();
  for (const [area, settings] of Object.entries(AREAS)) {
    for (const name of Object.keys(settings)) areasOf.set(name, [...(areasOf.get(name) ?? []), area]);
  }
  expect([...areasOf].filter(([, areas]) => areas.length > 1)).toEqual([]);
  expect(Object.keys(settingsSchema.shape).sort()).toEqual([...areasOf.keys()].sort());
});

test("every setting of the schema has its row in the README's settings table", () => {
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const rows = new Set([...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]));
  expect(Object.keys(settingsSchema.shape).filter((name) => !rows.has(name))).toEqual([]);
});
