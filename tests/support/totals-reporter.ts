import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** Lines of a retried test's first error worth reading: its message and where in our code it was thrown. */
function firstError(test: TestCase): string {
  const error = test.result().errors?.[0];
  if (!error) return '  (no error recorded)';
  const ours = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line) && !/node_modules|node:|<anonymous>/.test(line))
    .slice(0, 3);
  return [...error.message.split('\n').slice(0, 8), ...ours].map((line) => `  ${line.trim()}`).join('\n');
}

/**
 * Prints the one closing line CI reads, `N passed, N failed` over every project; before it, each
 * test that passed only on a retry with what failed the first time (the default reporter prints a
 * passing retry's earlier error nowhere, and a flake is found from those).
 */
export default class TotalsReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const retried: string[] = [];
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
        if (state === 'passed' && test.diagnostic()?.retryCount) retried.push(`${path.relative(process.cwd(), testModule.moduleId)} > ${test.fullName}\n${firstError(test)}`);
      }
      if (testModule.state() === 'failed' && [...testModule.children.allTests()].length === 0) failed += 1;
    }
    if (retried.length > 0) process.stdout.write(`\nPassed on a retry (the first attempt's error):\n${retried.join('\n')}\n`);
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  }
}
