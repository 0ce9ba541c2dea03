// Ends the run with one plain line, "Tests: N passed, N failed, N skipped", that any CI log
// reader understands without knowing Vitest's own summary format. The same line goes to
// test-output/summary.txt, so .ci/run can repeat it as the very last line of its log.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const OUTPUT_DIR = join(import.meta.dirname, '../../test-output');

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    const line = `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(join(OUTPUT_DIR, 'summary.txt'), `${line}\n`);
    process.stdout.write(`\n${line}\n`);
  }
}
