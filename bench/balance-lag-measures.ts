// What bench/balance-lag.ts measures, apart from how it drives the load: which balance read
// reflects each batch, the percentiles, and the table it prints.

/** One request of the load: when its answer arrived and the customers it carried events for. */
export interface SentBatch {
  answeredAt: number;
  customerIds: readonly string[];
}

/** A new snapshot seen through the balance query: read at `readAt`, seen at `seenAt` (epoch ms). */
export interface SeenRead {
  readAt: number;
  seenAt: number;
}

/**
 * The lag of each (batch, customer): from the batch's answer to the first snapshot of that
 * customer read after it. A read reflects the batch when it started after the answer: the
 * answer comes after the commit, and the read's queries (read committed) start after `readAt`.
 * A batch no read reflected is `unreflected`.
 */
export function batchLags(
  batches: readonly SentBatch[],
  reads: ReadonlyMap<string, readonly SeenRead[]>,
): { lags: number[]; unreflected: number } {
  const lags: number[] = [];
  let unreflected = 0;
  for (const batch of batches) {
    for (const customerId of batch.customerIds) {
      const seen = reads.get(customerId) ?? [];
      const read = firstReadFrom(seen, batch.answeredAt);
      if (read) lags.push(read.seenAt - batch.answeredAt);
      else unreflected += 1;
    }
  }
  return { lags: lags.sort((a, b) => a - b), unreflected };
}

/** The first read (reads in order) started at or after `at`, by binary search. */
function firstReadFrom(reads: readonly SeenRead[], at: number): SeenRead | undefined {
  let low = 0;
  let high = reads.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (reads[mid]!.readAt >= at) high = mid;
    else low = mid + 1;
  }
  return reads[low];
}

/** The q-quantile of sorted values (nearest rank); NaN when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export interface PhaseFigures {
  offeredPerS: number;
  achievedPerS: number;
  eventsPerRequest: number;
  customers: number;
  customersPerRequest: number;
  seconds: number;
  lags: number[];
  unreflected: number;
  readsPerBatch: number;
  readTimes: number[];
  gets: number[];
  counted: string;
  keptUp: boolean;
  maxLateMs: number;
  failures: string[];
  load: string;
}

const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : `${x.toFixed(0)} ms`);
const rate = (x: number) => `${Math.round(x).toLocaleString('en')}/s`;

/** The results as a Markdown table, then what did not go as offered. */
export function phaseTable(phases: readonly PhaseFigures[], pollMs: number): string {
  const lines = [
    `| Offered | Achieved | Events/request (customers) | Lag p50 | p95 | p99 | max | Reads/batch | Read p50 / p99 | GET p50 | GET p99 | Units counted | Load (1/5/15 min) |`,
    `| ------- | -------- | -------------------------- | ------- | --- | --- | --- | ----------- | -------------- | ------- | ------- | ------------- | ----------------- |`,
  ];
  const notes: string[] = [];
  for (const p of phases) {
    const q = (x: number) => ms(quantile(p.lags, x));
    lines.push(
      `| ${rate(p.offeredPerS)} × ${p.seconds} s | ${rate(p.achievedPerS)} | ${p.eventsPerRequest} (${p.customersPerRequest} of ${p.customers}) | ${q(0.5)} | ${q(0.95)} | ${q(0.99)} | ${ms(p.lags.at(-1) ?? NaN)} | ${p.readsPerBatch.toFixed(2)} | ${ms(quantile(p.readTimes, 0.5))} / ${ms(quantile(p.readTimes, 0.99))} | ${ms(quantile(p.gets, 0.5))} | ${ms(quantile(p.gets, 0.99))} | ${p.counted} | ${p.load} |`,
    );
    if (!p.keptUp)
      notes.push(
        `INGESTION DID NOT KEEP UP at ${rate(p.offeredPerS)}: achieved ${rate(p.achievedPerS)}, requests sent up to ${ms(p.maxLateMs)} late.`,
      );
    if (p.unreflected > 0)
      notes.push(`${p.unreflected} batch notification(s) at ${rate(p.offeredPerS)} never showed.`);
    for (const failure of p.failures.slice(0, 5)) notes.push(`failed request: ${failure}`);
  }
  notes.push(
    `Lag: POST /v1/events answered → the balance query shows a read that began after it (polled every ${pollMs} ms). Reads/batch: balance reads per (request, customer); Read: one read's activity (the upcoming invoice priced, the wallets).`,
  );
  return [...lines, '', ...notes].join('\n');
}
