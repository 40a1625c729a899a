/**
 * The kinds of setting the settings schema is made of (`config_schema.ts` and its areas,
 * `config_schema_*.ts`): numbers, lists, booleans and secrets read from the environment's strings,
 * each failing with a message that names the setting.
 */
import { z } from "zod";

/** A positive integer named `name`, `fallback` when unset. */
export const positiveInt = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be an integer`).positive(
    `${name} must be positive`,
  ).default(fallback);
/** A positive integer named `name`, undefined when unset. */
export const optionalPositiveInt = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be an integer`).positive(
    `${name} must be positive`,
  ).optional();
/** A positive number named `name`, `fallback` when unset. */
export const positive = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number` }).positive(`${name} must be positive`).default(
    fallback,
  );
/** An `http://` or `https://` URL named `name` (what `fetch` can reach), undefined when unset. */
export const httpUrl = (name: string) =>
  z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL` }).optional();
/**
 * A bearer token named `name` (an API key, a GitHub token), undefined when unset: not empty, and
 * without white space, which no such token holds (a quoted value with a stray space or line end
 * would otherwise be sent as is and refused at the first call). The message never quotes it.
 */
export const token = (name: string) =>
  z.string().min(1, `${name} is empty`).refine(
    (v) => !/\s/.test(v),
    `${name} holds white space: remove it (a token has none)`,
  ).optional();
/** A non-empty list named `name`, separated by commas or white space. */
export const list = (name: string) =>
  z.string().transform((v) => v.split(/[\s,]+/).filter(Boolean)).refine(
    (items) => items.length > 0,
    `${name} is empty`,
  );
/**
 * The settings that hold secrets. Each can also be given as a file, Docker's `*_FILE` convention
 * (`config_secret_files.ts`): mark a new secret setting with {@link secret} and it gets its `_FILE`.
 */
export const secretSettings = z.registry<{ secret: true }>();
/** Marks a setting's schema as a secret's (see {@link secretSettings}). */
export const secret = <T extends z.ZodType>(schema: T): T => {
  secretSettings.add(schema, { secret: true });
  return schema;
};
/** `true`/`1` or `false`/`0`, `fallback` when unset. */
export const bool = (fallback: boolean) =>
  z.enum(["true", "false", "1", "0"]).default(fallback ? "true" : "false").transform((v) =>
    v === "true" || v === "1"
  );
