import { describe, expect, test } from "vitest";
import { isOpsTitle, readsOpsFirst } from "../../src/github/ops_order.ts";

describe("readsOpsFirst(): the parent's body puts [ops] before [dev]", () => {
  test.each([
    "Ops first.",
    "## Order\n\n[ops] before [dev]",
    "**Ops goes first**: the database must exist before the API uses it.",
    "The [ops] sub-issues must be closed first.",
    "Order: [ops] → [dev]",
    "Order: ops, then dev",
    "First the ops issues, then the code.",
    "Dev work starts after the ops issues are closed.",
    "- [dev] sub-issues wait until after [ops] is done",
    "Intro line\n\n### OPS FIRST\n",
  ])("%j sets the order", (body) => {
    expect(readsOpsFirst(body)).toBe(true);
  });

  test.each([
    "",
    "As a user, I want due dates. Ops will add an alert later.",
    "The [dev] work comes first, ops later.",
    "Ops need not go first: the two are independent.",
    "There is no order: ops first or dev first, either works.",
    "> ops first (quoted from another issue)",
    "```\nops first\n```",
    "DevOps first-responders are paged on overdue tasks.",
    "The stops first appear on the map.",
  ])("%j sets no order", (body) => {
    expect(readsOpsFirst(body)).toBe(false);
  });

  test("a statement after a closed code fence still counts", () => {
    expect(readsOpsFirst("```sh\nmake\n```\n[ops] before [dev]")).toBe(true);
  });

  test("only the first 65,536 characters are read", () => {
    expect(readsOpsFirst(`${"x\n".repeat(40_000)}ops first`)).toBe(false);
    expect(readsOpsFirst(`${"x\n".repeat(1_000)}ops first`)).toBe(true);
  });
});

describe("isOpsTitle()", () => {
  test("an [ops] title in any case, with leading spaces", () => {
    expect(isOpsTitle("[ops] Alert on overdue tasks")).toBe(true);
    expect(isOpsTitle("  [OPS] Provision")).toBe(true);
    expect(isOpsTitle("[dev] Store due dates")).toBe(false);
    expect(isOpsTitle("Alert [ops]")).toBe(false);
  });
});
