// What an accounting sync is told and shows, shared by its workflow, its start and the API.

export type AccountingSyncKind = 'customer' | 'invoice' | 'payment' | 'credit_note';

/** Dependency order: a customer before its invoices, an invoice before its payments and credits. */
export const SYNC_ORDER: readonly AccountingSyncKind[] = [
  'customer',
  'invoice',
  'payment',
  'credit_note',
];

export interface SyncCounts {
  pushed: number;
  skipped: number;
  failed: number;
}

export type AccountingSyncCounts = Record<AccountingSyncKind, SyncCounts>;

export interface AccountingSyncInput {
  syncId: string;
  /** The accounting system's name as finance reads it, e.g. "QuickBooks". */
  systemName: string;
  /** YYYY-MM-DD, from inclusive, to exclusive; absent: everything. */
  period?: { from: string; to: string };
  /** Objects per batch (default SYNC_BATCH_SIZE). */
  batchSize?: number;
  /** Batches per run before continuing as new (default SYNC_BATCHES_PER_RUN). */
  batchesPerRun?: number;
  /** Set only by continue-as-new: where the walk stands. */
  kindIndex?: number;
  after?: string;
  batch?: number;
  counts?: AccountingSyncCounts;
}

/** Objects pushed by one activity. */
export const SYNC_BATCH_SIZE = 25;

/** Batches per run, then continue-as-new, so history stays bounded. */
export const SYNC_BATCHES_PER_RUN = 20;

const LABELS: Record<AccountingSyncKind, [string, string]> = {
  customer: ['customer', 'customers'],
  invoice: ['invoice', 'invoices'],
  payment: ['payment', 'payments'],
  credit_note: ['credit note', 'credit notes'],
};

/** "3 invoices", "1 credit note". */
export function countOf(kind: AccountingSyncKind, n: number): string {
  return `${n} ${LABELS[kind][n === 1 ? 0 : 1]}`;
}

export function pluralLabel(kind: AccountingSyncKind): string {
  return LABELS[kind][1];
}

export function emptySyncCounts(): AccountingSyncCounts {
  return {
    customer: { pushed: 0, skipped: 0, failed: 0 },
    invoice: { pushed: 0, skipped: 0, failed: 0 },
    payment: { pushed: 0, skipped: 0, failed: 0 },
    credit_note: { pushed: 0, skipped: 0, failed: 0 },
  };
}

/** "Sync to QuickBooks: 2026-12-01 to 2027-01-01" (to exclusive), or "… : everything". */
export function accountingSyncTitle(input: AccountingSyncInput): string {
  const what = input.period ? `${input.period.from} to ${input.period.to}` : 'everything';
  return `Sync to ${input.systemName}: ${what}`;
}

/** "Sync to QuickBooks: …: pushed 2 customers, 3 invoices …; 1 skipped, 0 failed", for the UI. */
export function accountingSyncProgress(
  input: AccountingSyncInput,
  counts: AccountingSyncCounts,
): string {
  const pushed = SYNC_ORDER.map((kind) => countOf(kind, counts[kind].pushed)).join(', ');
  const total = (field: keyof SyncCounts) =>
    SYNC_ORDER.reduce((sum, kind) => sum + counts[kind][field], 0);
  return (
    `${accountingSyncTitle(input)}: pushed ${pushed}; ` +
    `${total('skipped')} unchanged, ${total('failed')} failed`
  );
}
