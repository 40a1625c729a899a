/**
 * No floating promises in `src/`: a rejection nobody handles ends a Deno process. This finds the
 * patterns a regular expression sees reliably once comments, strings and regex literals are
 * blanked out:
 * - `void <expression>` (discards a promise; `void 0` is allowed);
 * - `p.then(f);` as a statement: a one-argument `.then` that ends its chain, is not awaited,
 *   returned, assigned or passed on.
 * A bare call to an async function as a statement needs types to see, and is not looked for.
 */
import { describe, expect, test } from "vitest";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** `source` with comments, string, template and regex literal text blanked (lines kept). */
function codeOnly(source: string): string {
  const out = source.split("");
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== "\n") out[i] = " ";
  };
  /** Open `${` of template literals, as brace depth at which each one closes. */
  const templates: number[] = [];
  let braces = 0;
  let i = 0;
  const previousCode = () => {
    for (let j = i - 1; j >= 0; j--) if (!/\s/.test(out[j]!)) return out[j]!;
    return "";
  };
  const scanTemplate = () => {
    // From just inside a template's text to its end or to a `${`.
    const start = i;
    while (i < source.length) {
      if (source[i] === "\\") i += 2;
      else if (source[i] === "`") {
        blank(start, i);
        i++;
        return;
      } else if (source[i] === "$" && source[i + 1] === "{") {
        blank(start, i);
        templates.push(braces);
        braces++;
        i += 2;
        return;
      } else i++;
    }
  };
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      blank(i, end < 0 ? source.length : end);
      i = end < 0 ? source.length : end;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      blank(i, end < 0 ? source.length : end + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (c === "'" || c === '"') {
      const start = ++i;
      while (i < source.length && source[i] !== c && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
      blank(start, i);
      i++;
    } else if (c === "`") {
      i++;
      scanTemplate();
    } else if (c === "/" && (previousCode() === "" || "(,=:[!&|?{};+-*%<>~^".includes(previousCode()))) {
      const start = ++i;
      let inClass = false;
      while (i < source.length && source[i] !== "\n" && (source[i] !== "/" || inClass)) {
        if (source[i] === "\\") i++;
        else if (source[i] === "[") inClass = true;
        else if (source[i] === "]") inClass = false;
        i++;
      }
      blank(start, i);
      i++;
    } else if (c === "{") {
      braces++;
      i++;
    } else if (c === "}") {
      braces--;
      i++;
      if (templates.length > 0 && templates[templates.length - 1] === braces) {
        templates.pop();
        scanTemplate();
      }
    } else i++;
  }
  return out.join("");
}

/** Where `code` (from {@link codeOnly}) lets a promise float: `line: what`, 1-based lines. */
function floatingPromises(code: string): string[] {
  const found: string[] = [];
  const lineOf = (index: number) => code.slice(0, index).split("\n").length;
  for (const match of code.matchAll(/\bvoid[ \t]+(?!0\b)(?=[\w$(!])/g)) {
    found.push(`${lineOf(match.index)}: \`void\` discards a promise; await it or catch it`);
  }
  for (const match of code.matchAll(/\.then\s*\(/g)) {
    const open = match.index + match[0].length - 1;
    const { close, commas } = argumentsOf(code, open);
    if (commas > 0) continue;
    const after = code.slice(close + 1).match(/^\s*\.\s*(then|catch|finally)\b/);
    if (after) continue;
    if (isHandedOn(code, match.index)) continue;
    found.push(`${lineOf(match.index)}: \`.then(f)\` without a rejection handler, as a statement`);
  }
  return found;
}

/** The index of the `)` closing the `(` at `open`, and how many top-level commas lie between. */
function argumentsOf(code: string, open: number): { close: number; commas: number } {
  let depth = 0;
  let commas = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i]!;
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) {
      depth--;
      if (depth === 0) return { close: i, commas };
    } else if (c === "," && depth === 1) commas++;
  }
  return { close: code.length, commas };
}

/**
 * Whether the expression ending at `index` is awaited, returned, assigned, an arrow's body or
 * inside brackets (an argument, an element): anything but a statement of its own.
 */
function isHandedOn(code: string, index: number): boolean {
  let depth = 0;
  let i = index - 1;
  for (; i >= 0; i--) {
    const c = code[i]!;
    if (")]}".includes(c)) depth++;
    else if ("([{".includes(c)) {
      if (depth === 0) {
        if (c !== "{") return true;
        break;
      }
      depth--;
    } else if (depth === 0 && (c === ";" || c === ",")) break;
  }
  const statement = code.slice(i + 1, index);
  return /(^|[^\w$.])(await|return|yield|throw)\b/.test(statement) || /=>|[^=!<>]=(?!=)|:/.test(statement);
}

describe("the floating promise scan", () => {
  test.each([
    ["void save();", 1],
    ["void (async () => { await save(); })();", 1],
    ["store.save().then(() => done());", 1],
    ["store\n  .save()\n  .then((r) => log(r));", 1],
    ["if (x) { p.then(f); }", 1],
    ["const a = void 0;", 0],
    ["function f(): void {}\nconst g: () => void = f;", 0],
    ["p.then(f, g);", 0],
    ["p.then(f).catch(g);", 0],
    ["p.then(f).then(g, h);", 0],
    ["await p.then(f);", 0],
    ["return p.then(f);", 0],
    ["if (p) return p.then(f);", 0],
    ["const next = queue.then(f);", 0],
    ["race([done.then(() => 1), t]);", 0],
    ["const f = () => p.then(g);", 0],
    ["// void save();\nconst s = 'p.then(f);';", 0],
    ["const t = `void ${x} p.then(f);`;", 0],
    ["const r = /void x/;", 0],
  ])("%j has %i", (source, count) => {
    expect(floatingPromises(codeOnly(source))).toHaveLength(count);
  });

  test("src/ has none (file:line)", async () => {
    const found: string[] = [];
    const walk = async (dir: string, rel: string) => {
      for await (const entry of Deno.readDir(dir)) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory) await walk(path, `${rel}${entry.name}/`);
        else if (entry.name.endsWith(".ts")) {
          const code = codeOnly(await Deno.readTextFile(path));
          for (const hit of floatingPromises(code)) found.push(`src/${rel}${entry.name}:${hit}`);
        }
      }
    };
    await walk(SRC.replace(/\/$/, ""), "");
    expect(found.sort()).toEqual([]);
  });
});
