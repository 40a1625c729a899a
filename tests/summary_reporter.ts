/**
 * A vitest reporter that ends the run with one plain line CI reads:
 * `N passed, N failed, N skipped`. A test file that fails to load and an
 * unhandled error each count as one failure.
 */
import type { Reporter, SerializedError, TestModule } from "vitest/node";

/** Prints the summary line after every other reporter. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = errors.length;
    let skipped = 0;
    for (const module of modules) {
      let tests = 0;
      for (const test of module.children.allTests()) {
        tests += 1;
        const state = test.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed") failed += 1;
        else skipped += 1;
      }
      if (tests === 0 && module.state() === "failed") failed += 1;
    }
    console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
