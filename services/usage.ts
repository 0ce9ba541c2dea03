// Usage: billable metrics, and the usage events counted against them. Each event is stored once
// per (customer, transactionId), whatever the retries: the database decides in the statement
// that stores it (db/repositories/usage.ts). Events stand alone: each is accepted, acknowledged
// as a duplicate or rejected with its reason, so a batch is never all-or-nothing.
//
// Numbers: the field a metric aggregates is taken as a JSON integer (exact up to 2^53) or a
// decimal string ("0.1", "-12.5"). A JSON number with a fraction is refused: by the time it
// reaches us it is a binary float (0.1 is 0.1000000000000000055…), and usage is money.
import { createHash } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import * as metrics from '../db/repositories/metrics.ts';
import type { MetricRecord } from '../db/repositories/metrics.ts';
import {
  recordUsageEvents,
  type LateEventsPolicy,
  type RecordOutcome,
  type UsageEventInput,
} from '../db/repositories/usage.ts';
import type { BillableMetric } from '../domain/catalog/metrics.ts';
import { notifyUsage } from './balance.ts';
import type { PageRequest, ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

/** Metrics by code, for the codes asked. */
export type MetricLookup = (codes: Iterable<string>) => Promise<Map<string, MetricRecord>>;

/** Metrics are immutable, so a found metric may be cached for the life of the process. */
export function cachedMetrics(db: Db): MetricLookup {
  const cache = new Map<string, MetricRecord>();
  return async (codes) => {
    const missing = [...new Set(codes)].filter((code) => !cache.has(code));
    if (missing.length > 0) {
      const found = await metrics.getMetrics(db, missing);
      if (cache.size + found.size > 10_000) cache.clear();
      for (const [code, metric] of found) cache.set(code, metric);
    }
    return cache;
  };
}

export interface UsageDependencies extends ServiceDependencies {
  /** What to do with events in an already invoiced usage period. */
  lateEvents: LateEventsPolicy;
  metrics: MetricLookup;
}

/** A usage event of the right shape, with exactly one of customerId and subscriptionId. */
export interface UsageEvent {
  transactionId: string;
  customerId?: string | undefined;
  subscriptionId?: string | undefined;
  metricCode: string;
  timestamp: string;
  properties?: Record<string, unknown> | undefined;
}

/** What became of one event; a rejection names the field (relative to the event) and why. */
export type UsageOutcome =
  | { status: 'accepted'; billingTimestamp?: string }
  | { status: 'duplicate' }
  | { status: 'rejected'; field: string; message: string };

const DECIMAL = /^[+-]?\d{1,30}(\.\d{1,30})?$/;

/** The metric's field of a valid event, or the reason it is not acceptable. */
function extractField(
  metric: MetricRecord,
  properties: Record<string, unknown>,
): { value?: string; uniqueKey?: string } | { error: string } {
  if (metric.aggregation === 'count' || metric.field === undefined) return {};
  const name = metric.field;
  if (!Object.hasOwn(properties, name))
    return { error: `is required by metric ${metric.code} (${metric.aggregation} of ${name})` };
  const raw = properties[name];
  if (metric.aggregation === 'unique_count') {
    if (typeof raw === 'string' && raw.length > 0 && raw.length <= 255) return { uniqueKey: raw };
    if (typeof raw === 'number' && Number.isSafeInteger(raw)) return { uniqueKey: String(raw) };
    return { error: 'must be a non-empty string (at most 255 characters) or an integer' };
  }
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw)) return { value: String(raw) };
    return {
      error: Number.isInteger(raw)
        ? 'is beyond 2^53 as a JSON number; send it as a decimal string'
        : 'has a fraction: send it as a decimal string (e.g. "0.1"), JSON numbers with a fraction arrive as binary floats',
    };
  }
  if (typeof raw === 'string' && DECIMAL.test(raw)) return { value: raw };
  return { error: 'must be a JSON integer or a decimal string such as "12.5"' };
}

function outcomeOf(
  outcome: RecordOutcome,
  event: UsageEvent,
  policy: LateEventsPolicy,
): UsageOutcome {
  switch (outcome.status) {
    case 'accepted':
      return outcome.carriedForward
        ? { status: 'accepted', billingTimestamp: outcome.billingTimestamp.toISOString() }
        : { status: 'accepted' };
    case 'duplicate':
      return { status: 'duplicate' };
    case 'unknown-customer':
      return {
        status: 'rejected',
        field: 'customerId',
        message: `no customer has id ${event.customerId}`,
      };
    case 'unknown-subscription':
      return {
        status: 'rejected',
        field: 'subscriptionId',
        message: `no subscription has id ${event.subscriptionId}`,
      };
    case 'period-closed':
      return {
        status: 'rejected',
        field: 'timestamp',
        message: `falls in a usage period already invoiced (usage is closed through ${outcome.closedThrough.toISOString()}); late events are rejected (BILLWRIGHT_LATE_EVENTS=${policy})`,
      };
  }
}

/**
 * Records the events against their metrics, each on its own: an unknown metric, a missing or
 * non-numeric field, an unknown customer or subscription, or a closed period rejects that
 * event alone. The outcomes are in the order of the events.
 */
export async function recordUsage(
  deps: UsageDependencies,
  events: readonly UsageEvent[],
): Promise<UsageOutcome[]> {
  const known = await deps.metrics(events.map((event) => event.metricCode));
  const outcomes: UsageOutcome[] = [];
  const stored: { at: number; event: UsageEvent; input: UsageEventInput }[] = [];
  for (const [at, event] of events.entries()) {
    const metric = known.get(event.metricCode);
    if (!metric) {
      outcomes[at] = {
        status: 'rejected',
        field: 'metricCode',
        message: `no billable metric has code ${event.metricCode}`,
      };
      continue;
    }
    const properties = event.properties ?? {};
    const extracted = extractField(metric, properties);
    if ('error' in extracted) {
      outcomes[at] = {
        status: 'rejected',
        field: `properties.${metric.field}`,
        message: extracted.error,
      };
      continue;
    }
    stored.push({
      at,
      event,
      input: {
        customerId: event.customerId,
        subscriptionId: event.subscriptionId,
        transactionId: event.transactionId,
        metricCode: event.metricCode,
        timestamp: event.timestamp,
        properties,
        value: extracted.value,
        uniqueKey: extracted.uniqueKey,
      },
    });
  }
  const recorded = await recordUsageEvents(
    deps.db,
    stored.map((s) => s.input),
    deps.lateEvents,
  );
  const counted = new Map<string, Record<string, number>>();
  const keys: string[] = [];
  recorded.forEach((outcome, i) => {
    const { at, event } = stored[i]!;
    outcomes[at] = outcomeOf(outcome, event, deps.lateEvents);
    if (outcome.status !== 'accepted') return;
    const events = counted.get(outcome.customerId) ?? {};
    events[event.metricCode] = (events[event.metricCode] ?? 0) + 1;
    counted.set(outcome.customerId, events);
    keys.push(`${outcome.customerId}\u0000${event.transactionId}`);
  });
  if (counted.size > 0) await notifyBalances(deps, keys, counted);
  return outcomes;
}

/**
 * One signal per batch and customer to the live balance, after the events are committed. The
 * batch id is derived from the events it stored, so a retried signal carries the same id and
 * counts once. A failed notification loses nothing: the events are stored, and the balance
 * re-reads PostgreSQL on its next batch (or when asked, after a period boundary).
 */
async function notifyBalances(
  deps: ServiceDependencies,
  keys: string[],
  counted: ReadonlyMap<string, Record<string, number>>,
): Promise<void> {
  const batchId = createHash('sha256').update(keys.sort().join('\n')).digest('base64url');
  try {
    await notifyUsage(deps, batchId, counted);
  } catch {
    // Temporal unavailable: the ingested events are safe in PostgreSQL (see above).
  }
}

/** Creates the metric; refused when the code is taken. `field` is absent exactly for count. */
export async function createMetric(
  deps: ServiceDependencies,
  metric: BillableMetric,
): Promise<MetricRecord> {
  const created = await metrics.createMetric(deps.db, metric);
  if (!created)
    throw new Refused('conflict', `A metric with code "${metric.code}" already exists.`);
  return created;
}

export function listMetrics(deps: ServiceDependencies, page: PageRequest) {
  return metrics.listMetrics(deps.db, page);
}

export async function getMetric(deps: ServiceDependencies, code: string): Promise<MetricRecord> {
  const metric = await metrics.getMetric(deps.db, code);
  if (!metric) throw new Refused('not_found', `Metric ${code} does not exist.`);
  return metric;
}
