// Reconciliation of Billwright's finance documents against what the accounting system holds:
// pure, given both sides. A document is matched (same amount and currency), missing in the
// accounting system (never acknowledged, or no longer there), different in amount, or unknown to
// Billwright (the system holds it and no Billwright document is linked to it). Totals per kind
// and currency say how far the two ledgers are apart.

export type ReconciledKind = 'invoice' | 'payment' | 'credit_note';

export type ReconciliationStatus =
  'matched' | 'missing_in_accounting' | 'amount_differs' | 'unknown_in_billwright';

/** A Billwright document in the period, and the accounting system's id it was acknowledged as. */
export interface BillwrightDocument {
  id: string;
  reference: string;
  currency: string;
  /** Minor units. */
  amount: number;
  date: string;
  externalId: string | undefined;
}

/** A document as the accounting system holds it (minor units). */
export interface AccountingDocument {
  externalId: string;
  reference: string | undefined;
  currency: string;
  amount: number;
  date: string;
}

export interface ReconciliationEntry {
  kind: ReconciledKind;
  status: ReconciliationStatus;
  /** Absent for a document unknown to Billwright. */
  billwright: { id: string; reference: string; amount: number; date: string } | undefined;
  /** Absent for a document missing in the accounting system. */
  accounting:
    { externalId: string; reference: string | undefined; amount: number; date: string } | undefined;
  currency: string;
  /** Accounting minus Billwright, minor units (0 when matched). */
  difference: number;
}

export interface ReconciliationTotal {
  kind: ReconciledKind;
  currency: string;
  /** Sum of Billwright's documents (minor units). */
  billwright: number;
  /** Sum of what the accounting system holds for them and of the unknown ones. */
  accounting: number;
  matched: number;
  missingInAccounting: number;
  amountDiffers: number;
  unknownInBillwright: number;
}

/**
 * One kind's entries. `held` finds what the system holds by its id (in the period or not);
 * `unknown` are the system's documents in the period that no Billwright document is linked to.
 */
export function reconcileKind(
  kind: ReconciledKind,
  documents: readonly BillwrightDocument[],
  held: (externalId: string) => AccountingDocument | undefined,
  unknown: readonly AccountingDocument[],
): ReconciliationEntry[] {
  const entries = documents.map((doc): ReconciliationEntry => {
    const billwright = { id: doc.id, reference: doc.reference, amount: doc.amount, date: doc.date };
    const found = doc.externalId === undefined ? undefined : held(doc.externalId);
    if (!found) {
      return {
        kind,
        status: 'missing_in_accounting',
        billwright,
        accounting: undefined,
        currency: doc.currency,
        difference: -doc.amount,
      };
    }
    const same = found.amount === doc.amount && found.currency === doc.currency;
    return {
      kind,
      status: same ? 'matched' : 'amount_differs',
      billwright,
      accounting: accountingSide(found),
      currency: doc.currency,
      difference: found.currency === doc.currency ? found.amount - doc.amount : 0,
    };
  });
  for (const doc of unknown) {
    entries.push({
      kind,
      status: 'unknown_in_billwright',
      billwright: undefined,
      accounting: accountingSide(doc),
      currency: doc.currency,
      difference: doc.amount,
    });
  }
  return entries;
}

function accountingSide(doc: AccountingDocument) {
  return {
    externalId: doc.externalId,
    reference: doc.reference,
    amount: doc.amount,
    date: doc.date,
  };
}

/** Totals per kind and currency, in the order the entries first name them. */
export function reconciliationTotals(
  entries: readonly ReconciliationEntry[],
): ReconciliationTotal[] {
  const totals = new Map<string, ReconciliationTotal>();
  for (const entry of entries) {
    const key = `${entry.kind}|${entry.currency}`;
    let total = totals.get(key);
    if (!total) {
      total = {
        kind: entry.kind,
        currency: entry.currency,
        billwright: 0,
        accounting: 0,
        matched: 0,
        missingInAccounting: 0,
        amountDiffers: 0,
        unknownInBillwright: 0,
      };
      totals.set(key, total);
    }
    total.billwright += entry.billwright?.amount ?? 0;
    total.accounting += entry.accounting?.amount ?? 0;
    if (entry.status === 'matched') total.matched += 1;
    else if (entry.status === 'missing_in_accounting') total.missingInAccounting += 1;
    else if (entry.status === 'amount_differs') total.amountDiffers += 1;
    else total.unknownInBillwright += 1;
  }
  return [...totals.values()];
}
