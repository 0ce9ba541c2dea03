// One advance of a test clock, as a workflow so it survives restarts and reads in the Temporal
// UI: walk every billing workflow on the clock to the target, then set the clock's time.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { AdvanceReport, AdvanceTestClockInput } from '../activities/test-clocks.ts';

const walk = proxyActivities<Activities>({
  // Long walks (months of boundaries, many workflows) heartbeat at every step.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const record = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

export async function testClockAdvance(input: AdvanceTestClockInput): Promise<AdvanceReport> {
  const report = await walk.advanceTestClockWorkflows.executeWithOptions(
    {
      startToCloseTimeout: '2 hours',
      heartbeatTimeout: '2 minutes',
      summary: `Walk the billing on test clock ${input.clockId} to ${input.to}`,
    },
    [input],
  );
  await record.finishTestClockAdvance.executeWithOptions(
    { startToCloseTimeout: '1 minute', summary: `Test clock ${input.clockId} reads ${input.to}` },
    [input],
  );
  return report;
}

export function testClockAdvanceWorkflowId(clockId: string, to: string): string {
  return `test-clock-${clockId}-to-${to}`;
}
