// The reconciliation's pure rules, by worked example: each status, and totals per currency.
import { describe, expect, it } from 'vitest';
import {
  reconcileKind,
  reconciliationTotals,
  type AccountingDocument,
} from '../../domain/accounting/reconciliation.ts';

const held: Record<string, AccountingDocument> = {
  '101': {
    externalId: '101',
    reference: 'INV-1',
    currency: 'EUR',
    amount: 4900,
    date: '2026-12-01',
  },
  '102': {
    externalId: '102',
    reference: 'INV-2',
    currency: 'EUR',
    amount: 5000,
    date: '2026-12-02',
  },
  '103': {
    externalId: '103',
    reference: 'INV-3',
    currency: 'JPY',
    amount: 4900,
    date: '2026-12-02',
  },
};
const doc = (id: string, amount: number, currency: string, externalId?: string) => ({
  id,
  reference: id.toUpperCase(),
  currency,
  amount,
  date: '2026-12-01',
  externalId,
});

describe('reconcileKind', () => {
  const entries = reconcileKind(
    'invoice',
    [
      doc('inv_a', 4900, 'EUR', '101'),
      doc('inv_b', 4900, 'EUR', '102'),
      doc('inv_c', 1000, 'EUR'),
      doc('inv_d', 1000, 'EUR', '999'),
    ],
    (id) => held[id],
    [held['103']!],
  );

  it('says what each document is', () => {
    expect(entries.map((e) => [e.billwright?.id, e.status, e.difference])).toEqual([
      ['inv_a', 'matched', 0],
      ['inv_b', 'amount_differs', 100],
      ['inv_c', 'missing_in_accounting', -1000],
      ['inv_d', 'missing_in_accounting', -1000],
      [undefined, 'unknown_in_billwright', 4900],
    ]);
  });

  it('totals per kind and currency, never adding yen to euros', () => {
    expect(reconciliationTotals(entries)).toEqual([
      {
        kind: 'invoice',
        currency: 'EUR',
        billwright: 11800,
        accounting: 9900,
        matched: 1,
        missingInAccounting: 2,
        amountDiffers: 1,
        unknownInBillwright: 0,
      },
      {
        kind: 'invoice',
        currency: 'JPY',
        billwright: 0,
        accounting: 4900,
        matched: 0,
        missingInAccounting: 0,
        amountDiffers: 0,
        unknownInBillwright: 1,
      },
    ]);
  });
});
