/**
 * Reads a program's arguments as GNU getopt_long reads them, given the
 * options the program takes. The option tables of the file-work programs are
 * in `file_options.ts`.
 */
import { EXPANSION, type Word } from "./shell_words.ts";

/**
 * The options one program takes, as GNU getopt_long reads them (GNU
 * coreutils 9 `--help`). Long options must be written in full: getopt's
 * abbreviations (`--no-pres`) are refused as unknown.
 */
export interface OptionSpec {
  /** Short options without a value, e.g. `"fr"`. */
  flags: string;
  /** Short options that take a value: the rest of the cluster or the next word. */
  valued?: string;
  /** Long options without a value (`--force`). */
  long?: string[];
  /** Long options that need a value: `--name=value` or `--name value`. */
  longValued?: string[];
  /** Long options whose value is optional and only given as `--name=value`. */
  longOptional?: string[];
  /** Options refused with the reason why, keyed `-s` or `--link`. */
  refused?: Record<string, string>;
}

/** One option as read, e.g. `{name: "-t", value: "app"}`. */
export interface ParsedOption {
  name: string;
  value?: string;
}

/**
 * Reads `args` as getopt_long would: options anywhere before `--` (GNU
 * permutes), clusters of short flags (`-rf`), a value glued to its short
 * option or in the next word (`-tapp`, `-t app`), `--name=value`.
 * @returns the options and the operands, or why an option is refused.
 */
export function parseOptions(
  args: Word[],
  spec: OptionSpec,
): { options: ParsedOption[]; operands: string[] } | string {
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  const refused = (name: string) => spec.refused?.[name];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!.text;
    if (arg === "--") {
      operands.push(...args.slice(i + 1).map((a) => a.text));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      operands.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const value = eq < 0 ? undefined : arg.slice(eq + 1);
      const why = refused(`--${name}`);
      if (why) return why;
      if (spec.long?.includes(name)) {
        if (value !== undefined) return `the option --${name} takes no value`;
        options.push({ name: `--${name}` });
      } else if (spec.longValued?.includes(name)) {
        const given = value ?? args[++i]?.text;
        if (given === undefined) return `the option --${name} needs a value`;
        options.push({ name: `--${name}`, value: given });
      } else if (spec.longOptional?.includes(name)) {
        options.push(value === undefined ? { name: `--${name}` } : { name: `--${name}`, value });
      } else return unknownOption(`--${name}`, spec);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      const why = refused(`-${letter}`);
      if (why) return why;
      if (spec.flags.includes(letter)) options.push({ name: `-${letter}` });
      else if (spec.valued?.includes(letter)) {
        const given = arg.length > j + 1 ? arg.slice(j + 1) : args[++i]?.text;
        if (given === undefined) return `the option -${letter} needs a value`;
        options.push({ name: `-${letter}`, value: given });
        break;
      } else return unknownOption(`-${letter}`, spec);
    }
  }
  return { options, operands };
}

function unknownOption(name: string, spec: OptionSpec): string {
  const known = [
    ...[...spec.flags, ...(spec.valued ?? "")].map((c) => `-${c}`),
    ...[...(spec.long ?? []), ...(spec.longValued ?? []), ...(spec.longOptional ?? [])].map((n) => `--${n}`),
  ];
  const shown = name.replaceAll(EXPANSION, "$…");
  return `the option ${shown} is not one the policy knows (known: ${
    known.join(" ")
  }; write long options in full)`;
}

/** The values given to any of `names`, e.g. every `-t`/`--target-directory`. */
export function valuesOf(options: ParsedOption[], ...names: string[]): string[] {
  return options.flatMap((o) => (names.includes(o.name) && o.value !== undefined ? [o.value] : []));
}
