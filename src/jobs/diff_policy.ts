/**
 * The diff policy, checked before anything is written to GitHub: some paths
 * are never the agent's to change, and a change set has size and count caps.
 */
import type { FileChange } from "../sandbox/sandbox.ts";

/** A path and the rule it broke. */
export interface PolicyViolation {
  path: string;
  rule: string;
}

/** Options for {@link checkDiffPolicy}. */
export interface DiffPolicyOptions {
  /** Most files in one change set. Default 200. */
  maxFiles?: number;
  /** Largest single file, bytes. Default 1 MiB. */
  maxFileBytes?: number;
  /** Largest change set, bytes. Default 5 MiB. */
  maxTotalBytes?: number;
}

const FORBIDDEN: Array<{ test: (path: string) => boolean; rule: string }> = [
  {
    test: (p) => p.startsWith(".github/workflows/"),
    rule: "CI workflows (.github/workflows/) are not changed by the agent",
  },
  {
    test: (p) => p === ".git" || p.startsWith(".git/") || p.includes("/.git/"),
    rule: "paths under .git/ are not allowed",
  },
  { test: (p) => p === ".gitmodules", rule: "submodules are not allowed" },
];

/** Returns every violation (empty when the change set may be published). */
export function checkDiffPolicy(changes: FileChange[], options: DiffPolicyOptions = {}): PolicyViolation[] {
  const maxFiles = options.maxFiles ?? 200;
  const maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
  const maxTotalBytes = options.maxTotalBytes ?? 5 * 1024 * 1024;
  const violations: PolicyViolation[] = [];
  let total = 0;
  for (const change of changes) {
    for (const rule of FORBIDDEN) {
      if (rule.test(change.path)) violations.push({ path: change.path, rule: rule.rule });
    }
    const size = change.content?.byteLength ?? 0;
    total += size;
    if (size > maxFileBytes) {
      violations.push({ path: change.path, rule: `files over ${maxFileBytes} bytes are not allowed` });
    }
  }
  if (changes.length > maxFiles) violations.push({ path: "*", rule: `more than ${maxFiles} files changed` });
  if (total > maxTotalBytes) violations.push({ path: "*", rule: `more than ${maxTotalBytes} bytes changed` });
  return violations;
}
