// The accounting routes' request and response shapes, and how a sync and a reconciliation are shown.
import { Type } from 'typebox';
import type { AccountingSyncView, Reconciliation } from '../../services/accounting-sync.ts';
import { accountingSyncWorkflowId } from '../../workflow-contracts/ids.ts';
import { CurrencyCode, iso, NullableTimestamp, Timestamp } from './common.ts';

const Day = Type.String({ format: 'date', examples: ['2026-12-01'] });

const SyncPeriod = Type.Object(
  {
    from: { ...Day, description: 'First day (UTC), inclusive.' },
    to: { ...Day, description: 'Day after the last (UTC), exclusive.' },
  },
  { additionalProperties: false },
);

export const CreateSyncBody = Type.Object(
  {
    period: Type.Optional({
      ...SyncPeriod,
      description:
        'Push only invoices issued, payments made and credit notes issued in these days (and ' +
        'what they need: their customer, their invoice). Default: everything.',
    }),
  },
  { additionalProperties: false },
);

export const SyncParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const ReconciliationQuery = Type.Object(
  {
    from: { ...Day, description: 'First day (UTC), inclusive.' },
    to: {
      ...Day,
      description: 'Day after the last (UTC), exclusive; at most 366 days after from.',
    },
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });
const KindCounts = Type.Object({
  pushed: { ...Count, description: 'Created or updated in the accounting system.' },
  skipped: { ...Count, description: 'Already there as Billwright holds it: nothing sent.' },
  failed: { ...Count, description: 'Refused by the accounting system; see failures.' },
});
const Kind = Type.Enum(['customer', 'invoice', 'payment', 'credit_note']);

export const AccountingSyncSchema = Type.Object({
  id: Type.String({ examples: ['acsync_abcdefghijklmnopqrst'] }),
  workflowId: Type.String({ examples: ['accounting-sync-acsync_abcdefghijklmnopqrst'] }),
  provider: Type.String({ examples: ['quickbooks'] }),
  period: Type.Union([SyncPeriod, Type.Null()]),
  status: Type.Enum(['running', 'completed']),
  requestedBy: Type.String(),
  createdAt: Timestamp,
  completedAt: NullableTimestamp,
  counts: Type.Object({
    customers: KindCounts,
    invoices: KindCounts,
    payments: KindCounts,
    creditNotes: KindCounts,
  }),
  failures: Type.Array(
    Type.Object({
      kind: Kind,
      objectId: Type.String(),
      reason: Type.Union([Type.String(), Type.Null()]),
    }),
    { description: 'What the accounting system refused, and why (the first 100).' },
  ),
});

export function toAccountingSync(view: AccountingSyncView) {
  return {
    id: view.id,
    workflowId: accountingSyncWorkflowId(view.id),
    provider: view.provider,
    period: view.period,
    status: view.status,
    requestedBy: view.actor,
    createdAt: iso(view.createdAt),
    completedAt: iso(view.completedAt),
    counts: {
      customers: view.counts.customer,
      invoices: view.counts.invoice,
      payments: view.counts.payment,
      creditNotes: view.counts.credit_note,
    },
    failures: view.failures.map((f) => ({ kind: f.kind, objectId: f.objectId, reason: f.detail })),
  };
}

const DocumentKind = Type.Enum(['invoice', 'payment', 'credit_note']);
const Amount = Type.Integer({ description: 'Minor units.' });

export const ReconciliationSchema = Type.Object({
  provider: Type.String({ examples: ['quickbooks'] }),
  period: SyncPeriod,
  totals: Type.Array(
    Type.Object({
      kind: DocumentKind,
      currency: CurrencyCode,
      billwright: { ...Amount, description: 'Sum of Billwright’s documents, minor units.' },
      accounting: {
        ...Amount,
        description: 'Sum of what the accounting system holds for them and of unknown ones.',
      },
      matched: Count,
      missingInAccounting: Count,
      amountDiffers: Count,
      unknownInBillwright: Count,
    }),
    { description: 'Per kind and currency.' },
  ),
  documents: Type.Array(
    Type.Object({
      kind: DocumentKind,
      status: Type.Enum([
        'matched',
        'missing_in_accounting',
        'amount_differs',
        'unknown_in_billwright',
      ]),
      currency: CurrencyCode,
      billwright: Type.Union([
        Type.Object({
          id: Type.String(),
          reference: Type.String({ description: 'Invoice or credit note number; payment id.' }),
          amount: Amount,
          date: Day,
        }),
        Type.Null(),
      ]),
      accounting: Type.Union([
        Type.Object({
          externalId: Type.String({ description: 'The accounting system’s id (QuickBooks Id).' }),
          reference: Type.Union([Type.String(), Type.Null()]),
          amount: Amount,
          date: Type.String({ description: 'The document’s date there (YYYY-MM-DD).' }),
        }),
        Type.Null(),
      ]),
      difference: { ...Amount, description: 'Accounting minus Billwright, minor units.' },
    }),
  ),
});

export function toReconciliation(report: Reconciliation) {
  return {
    provider: report.provider,
    period: report.period,
    totals: report.totals,
    documents: report.documents.map((entry) => ({
      kind: entry.kind,
      status: entry.status,
      currency: entry.currency,
      billwright: entry.billwright ?? null,
      accounting: entry.accounting
        ? { ...entry.accounting, reference: entry.accounting.reference ?? null }
        : null,
      difference: entry.difference,
    })),
  };
}
