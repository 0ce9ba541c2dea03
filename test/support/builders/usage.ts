// Billable metrics and usage events, recorded straight through the repositories (the API tests
// send them over HTTP instead).
import type { Db } from '../../../db/connect.ts';
import { newId } from '../../../db/ids.ts';
import { createMetric } from '../../../db/repositories/metrics.ts';
import {
  recordUsageEvents,
  type LateEventsPolicy,
  type UsageEventInput,
} from '../../../db/repositories/usage.ts';
import type { BillableMetric } from '../../../domain/catalog/metrics.ts';

let metricSeq = 0;

/** A metric with a unique code (test files share nothing, tests in a file share the db). */
export async function newMetric(
  db: Db,
  aggregation: BillableMetric['aggregation'],
  field?: string,
): Promise<BillableMetric> {
  const metric: BillableMetric = {
    code: `m${++metricSeq}-${aggregation.replace('_', '-')}-${newId('key').slice(4, 10)}`,
    name: `Metric ${aggregation}`,
    aggregation,
    ...(field === undefined ? {} : { field }),
  };
  await createMetric(db, metric);
  return metric;
}

let txSeq = 0;

/** Records events for one customer and metric: [timestamp, field value or undefined]. */
export async function record(
  db: Db,
  customerId: string,
  metric: BillableMetric,
  events: readonly (readonly [string, string | undefined, string?])[],
  policy: LateEventsPolicy = 'reject',
) {
  const inputs: UsageEventInput[] = events.map(([timestamp, value, transactionId]) => ({
    customerId,
    transactionId: transactionId ?? `tx-${++txSeq}`,
    metricCode: metric.code,
    timestamp,
    properties: value === undefined || metric.field === undefined ? {} : { [metric.field]: value },
    ...(metric.aggregation === 'unique_count' ? { uniqueKey: value } : { value }),
  }));
  return recordUsageEvents(db, inputs, policy);
}
