// One advance of a test clock, as a workflow so it survives restarts and reads in the Temporal
// UI: walk every billing workflow on the clock to the target, then set the clock's time.
import { proxyActivities } from '@temporalio/workflow';
import type {
  AdvanceReport,
  AdvanceTestClockInput,
  TestClockActivities,
} from '../activities/test-clocks.ts';
import { testClockRecord, testClockWalk } from './activity-options.ts';

const { advanceTestClockWorkflows } = proxyActivities<TestClockActivities>(testClockWalk);
const { finishTestClockAdvance } = proxyActivities<TestClockActivities>(testClockRecord);

export async function testClockAdvance(input: AdvanceTestClockInput): Promise<AdvanceReport> {
  const report = await advanceTestClockWorkflows.executeWithOptions(
    { summary: `Walk the billing on test clock ${input.clockId} to ${input.to}` },
    [input],
  );
  await finishTestClockAdvance.executeWithOptions(
    { summary: `Test clock ${input.clockId} reads ${input.to}` },
    [input],
  );
  return report;
}

export function testClockAdvanceWorkflowId(clockId: string, to: string): string {
  return `test-clock-${clockId}-to-${to}`;
}
