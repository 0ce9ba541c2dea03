// Wallet grants on real PostgreSQL: purchased credit granted exactly once however often its
// invoice's payment is posted, its expiry (breakage: Dr prepaid credit, Cr revenue) posted once
// however often the timer's activity runs, and movements that the database refuses to change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordPayment } from '../../db/repositories/payments.ts';
import { expireGrant } from '../../db/repositories/wallet-grants.ts';
import { getGrant, insertGrant, insertWallet } from '../../db/repositories/wallets.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { insertInvoiceRow } from '../support/builders/invoices.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.destroy();
});

describe('purchased wallet credit', () => {
  it('is granted once when paid, and expires once as breakage', async () => {
    const { db } = testDb;
    const customer = await insertCustomer(db);
    const wallet = await insertWallet(db, {
      customerId: customer.id,
      currency: 'EUR',
      name: 'Prepaid',
      priority: 1,
      planCodes: null,
    });
    const invoiceId = await insertInvoiceRow(db, {
      customer_id: customer.id,
      subtotal: 10_000,
      tax: 0,
      total: 10_000,
    });
    const grant = await insertGrant(db, {
      walletId: wallet.id,
      kind: 'purchased',
      amount: 10_000,
      reason: null,
      expiresAt: '2027-03-01T00:00:00Z',
      invoiceId,
      at: new Date('2027-01-01T00:00:00Z'),
    });
    // Half paid: nothing granted yet; then the rest, then the same payment again.
    for (const [amount, reference] of [
      [4_000, 'a'],
      [6_000, 'b'],
      [6_000, 'b'],
    ] as const) {
      await recordPayment(db, { invoiceId, amount, method: 'card', reference, source: 'api' });
      if (reference === 'a') expect((await getGrant(db, grant.id))?.status).toBe('pending');
    }
    expect(await getGrant(db, grant.id)).toMatchObject({ status: 'active', remaining: 10_000 });

    // Not yet due: nothing; due: all of it, once, however often.
    expect((await expireGrant(db, grant.id, new Date('2027-02-01T00:00:00Z'))).expired).toBe(0);
    expect((await expireGrant(db, grant.id, new Date('2027-03-01T00:00:00Z'))).expired).toBe(
      10_000,
    );
    expect((await expireGrant(db, grant.id, new Date('2027-03-02T00:00:00Z'))).expired).toBe(0);

    const moves = await db
      .selectFrom('wallet_transactions')
      .select(['kind', 'amount'])
      .where('grant_id', '=', grant.id)
      .orderBy('sequence')
      .execute();
    expect(moves).toEqual([
      { kind: 'grant', amount: 10_000 },
      { kind: 'expiry', amount: -10_000 },
    ]);
    const journal = await db
      .selectFrom('journal_entries')
      .innerJoin('journal_lines', 'journal_lines.entry_id', 'journal_entries.id')
      .select(['journal_entries.kind', 'account_code', 'debit', 'credit'])
      .where('journal_entries.kind', 'in', ['wallet_credit_granted', 'wallet_credit_expired'])
      .orderBy('journal_entries.sequence')
      .orderBy('journal_lines.position')
      .execute();
    expect(journal).toEqual([
      { kind: 'wallet_credit_granted', account_code: '4000', debit: 10_000, credit: 0 },
      { kind: 'wallet_credit_granted', account_code: '2250', debit: 0, credit: 10_000 },
      { kind: 'wallet_credit_expired', account_code: '2250', debit: 10_000, credit: 0 },
      { kind: 'wallet_credit_expired', account_code: '4000', debit: 0, credit: 10_000 },
    ]);

    // Movements are history: the database refuses to change them.
    await expect(
      db
        .updateTable('wallet_transactions')
        .set({ amount: 1 })
        .where('grant_id', '=', grant.id)
        .execute(),
    ).rejects.toThrow(/append-only/);
  });
});
