// The ledger on real PostgreSQL: the database refuses an unbalanced entry at commit and any
// change to a posted one; a replay posts nothing twice; and, over random sequences of financial
// events through the real repositories, the journal always balances, AR equals the invoices'
// amounts due, bad debt what is written off, and customer credit the customer's credit balance.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loadConfig } from '../../config/index.ts';
import { issueCreditNote } from '../../db/repositories/credit-notes.ts';
import { createDraftInvoice, type NewInvoiceLine } from '../../db/repositories/invoice-drafts.ts';
import {
  InvalidInvoiceRequestError,
  InvalidInvoiceTransitionError,
} from '../../db/repositories/invoice-errors.ts';
import { finalizeInvoice } from '../../db/repositories/invoice-finalization.ts';
import {
  createPeriodInvoice,
  createProjectInvoice,
} from '../../db/repositories/invoice-issuing.ts';
import {
  markUncollectible,
  recordPaymentTotals,
  voidInvoice,
} from '../../db/repositories/invoice-lifecycle.ts';
import { journalLines, trialBalance } from '../../db/repositories/ledger-reports.ts';
import {
  applyCreditBalance,
  creditBalance,
  recordPayment,
} from '../../db/repositories/payments.ts';
import { newId } from '../../db/ids.ts';
import { JOURNAL_KINDS } from '../../domain/ledger/postings.ts';
import { fixPropertySeed } from '../support/property-seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { finalizeOptions } from '../support/builders/invoices.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';

fixPropertySeed('test/db/ledger.test.ts');

let testDb: TestDatabase;
const config = loadConfig({});
const options = finalizeOptions(config);
const numbering = config.invoiceNumbering;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.destroy();
});

const line = (amount: number, description = 'Consulting'): NewInvoiceLine => ({
  description,
  quantity: '1',
  unitAmount: String(amount),
  amount,
});

async function manualInvoice(customerId: string, amounts: number[], at: string) {
  const draft = await createDraftInvoice(testDb.db, {
    customerId,
    currency: 'EUR',
    lines: amounts.map((a) => line(a)),
  });
  return finalizeInvoice(testDb.db, draft.id, { ...options, at });
}

/** Every account's debit-positive balance from one customer's journal lines. */
async function balancesOf(customerId: string): Promise<Map<string, number>> {
  const balances = new Map<string, number>();
  for (const l of await journalLines(testDb.db, { customerId, currency: 'EUR' })) {
    balances.set(l.accountCode, (balances.get(l.accountCode) ?? 0) + l.debit - l.credit);
  }
  return balances;
}

/** The ledger's invariants for one customer's documents. */
async function expectLedgerMatchesDocuments(customerId: string): Promise<void> {
  const balances = await balancesOf(customerId);
  const invoices = await testDb.db
    .selectFrom('invoices')
    .select(['status', 'amount_due'])
    .where('customer_id', '=', customerId)
    .execute();
  const dueWhere = (statuses: string[]) =>
    invoices.filter((i) => statuses.includes(i.status)).reduce((t, i) => t + i.amount_due, 0);
  expect([...balances.values()].reduce((t, b) => t + b, 0)).toBe(0);
  expect(balances.get('1100') ?? 0).toBe(dueWhere(['open', 'partially_paid', 'paid']));
  expect(balances.get('6100') ?? 0).toBe(dueWhere(['uncollectible']));
  expect(0 - (balances.get('2200') ?? 0)).toBe(await creditBalance(testDb.db, customerId, 'EUR'));
}

describe('the database guards the journal', () => {
  async function entryWith(lines: { debit: number; credit: number; currency?: string }[]) {
    const customer = await insertCustomer(testDb.db);
    return testDb.db.transaction().execute(async (trx) => {
      const id = newId('je');
      await trx
        .insertInto('journal_entries')
        .values({
          id,
          kind: 'payment_adjusted',
          idempotency_key: id,
          customer_id: customer.id,
          currency: 'EUR',
          business_date: '2027-01-01',
          occurred_at: '2027-01-01T00:00:00Z',
          description: 'hand-made',
        })
        .execute();
      for (const [position, l] of lines.entries()) {
        await trx
          .insertInto('journal_lines')
          .values({
            entry_id: id,
            position,
            account_code: position === 0 ? '1000' : '1100',
            currency: l.currency ?? 'EUR',
            debit: l.debit,
            credit: l.credit,
          })
          .execute();
      }
      return id;
    });
  }

  it('refuses at commit an entry whose debits and credits differ', async () => {
    await expect(
      entryWith([
        { debit: 100, credit: 0 },
        { debit: 0, credit: 99 },
      ]),
    ).rejects.toThrow(/does not balance: debits 100 <> credits 99/);
  });

  it('refuses an entry of one line, of no line, or of two currencies', async () => {
    await expect(entryWith([{ debit: 100, credit: 0 }])).rejects.toThrow(/at least two/);
    await expect(entryWith([])).rejects.toThrow(/at least two/);
    await expect(
      entryWith([
        { debit: 100, credit: 0 },
        { debit: 0, credit: 100, currency: 'USD' },
      ]),
    ).rejects.toThrow(/mixes currencies/);
  });

  it('refuses a line with both sides or none', async () => {
    await expect(
      entryWith([
        { debit: 100, credit: 100 },
        { debit: 0, credit: 0 },
      ]),
    ).rejects.toThrow(/journal_lines_one_side_check/);
  });

  it('accepts a balanced entry, then refuses to update or delete it', async () => {
    const id = await entryWith([
      { debit: 100, credit: 0 },
      { debit: 0, credit: 100 },
    ]);
    await expect(
      testDb.db.updateTable('journal_lines').set({ debit: 1 }).where('entry_id', '=', id).execute(),
    ).rejects.toThrow(/append-only: UPDATE on journal_lines refused/);
    await expect(
      testDb.db.deleteFrom('journal_lines').where('entry_id', '=', id).execute(),
    ).rejects.toThrow(/append-only: DELETE on journal_lines refused/);
    await expect(
      testDb.db
        .updateTable('journal_entries')
        .set({ description: 'rewritten' })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/append-only: UPDATE on journal_entries refused/);
    await expect(sql`truncate journal_lines, journal_entries`.execute(testDb.db)).rejects.toThrow(
      /append-only: TRUNCATE/,
    );
  });
});

describe('posting', () => {
  it('posts each event once, however often it is replayed', async () => {
    const customer = await insertCustomer(testDb.db);
    const invoice = await manualInvoice(customer.id, [10000], '2027-02-01T10:00:00Z');
    await finalizeInvoice(testDb.db, invoice.id, options);
    const payment = {
      invoiceId: invoice.id,
      amount: 5000,
      method: 'card',
      reference: 'ch_1',
      paidAt: '2027-02-02T10:00:00Z',
      source: 'api',
    };
    await recordPayment(testDb.db, payment);
    await recordPayment(testDb.db, payment);
    const at = '2027-02-03T10:00:00Z';
    await markUncollectible(testDb.db, invoice.id, { at });
    await markUncollectible(testDb.db, invoice.id, { at });
    const kinds = (await journalLines(testDb.db, { customerId: customer.id }))
      .filter((l) => l.position === 0)
      .map((l) => l.kind);
    expect(kinds).toEqual(['invoice_finalized', 'payment_received', 'invoice_written_off']);
    await expectLedgerMatchesDocuments(customer.id);
  });

  it('posts an invoice: Dr AR the total, Cr revenue per line, Cr tax payable per rate', async () => {
    const customer = await insertCustomer(testDb.db);
    const invoice = await manualInvoice(customer.id, [4900, 1000], '2027-03-01T10:00:00Z');
    const lines = await journalLines(testDb.db, { customerId: customer.id });
    expect(
      lines.map((l) => [l.accountCode, l.debit, l.credit, l.taxJurisdiction, l.taxRate]),
    ).toEqual([
      ['1100', 7080, 0, null, null],
      ['4000', 0, 4900, null, null],
      ['4000', 0, 1000, null, null],
      ['2100', 0, 1180, 'FR', '20'],
    ]);
    expect(lines[0]).toMatchObject({
      date: '2027-03-01',
      documentNumber: invoice.number,
      invoiceId: invoice.id,
      kind: 'invoice_finalized',
    });
  });

  it('keeps what a credit note gives back of a paid invoice: refunded, or the customer’s credit the next invoice takes', async () => {
    const customer = await insertCustomer(testDb.db);
    const paid = await manualInvoice(customer.id, [10000], '2027-04-01T10:00:00Z');
    await recordPayment(testDb.db, {
      invoiceId: paid.id,
      amount: 12000,
      method: 'bank_transfer',
      reference: 'wire-1',
      source: 'api',
    });
    await issueCreditNote(testDb.db, paid.id, {
      reason: 'refund',
      credit: { amount: 2400 },
      numbering,
    });
    await issueCreditNote(testDb.db, paid.id, {
      reason: 'correction',
      credit: { amount: 1200 },
      numbering,
    });
    expect(await creditBalance(testDb.db, customer.id, 'EUR')).toBe(1200);
    const balances = await balancesOf(customer.id);
    expect(balances.get('2300')).toBe(-2400);
    expect(balances.get('2200')).toBe(-1200);
    const next = await manualInvoice(customer.id, [1000], '2027-05-01T10:00:00Z');
    const used = await applyCreditBalance(testDb.db, next.id, '2027-05-01T10:00:00Z');
    expect(used?.invoice).toMatchObject({ status: 'paid', amount_due: 0 });
    expect(await creditBalance(testDb.db, customer.id, 'EUR')).toBe(0);
    await expectLedgerMatchesDocuments(customer.id);
  });

  it('posts payment totals set without a payment record, both ways', async () => {
    const customer = await insertCustomer(testDb.db);
    const invoice = await manualInvoice(customer.id, [5000], '2027-06-01T10:00:00Z');
    await recordPaymentTotals(testDb.db, invoice.id, { amountPaid: 6000 });
    await recordPaymentTotals(testDb.db, invoice.id, { amountPaid: 2000 });
    await expectLedgerMatchesDocuments(customer.id);
    expect((await balancesOf(customer.id)).get('1000')).toBe(2000);
  });
});

type Action =
  | { kind: 'issue'; origin: 'manual' | 'subscription' | 'project'; amounts: number[] }
  | { kind: 'pay'; target: number; share: number; over: number }
  | { kind: 'credit'; target: number; reason: 'refund' | 'correction' | 'other'; share: number }
  | { kind: 'useCredit'; target: number }
  | { kind: 'void'; target: number }
  | { kind: 'writeOff'; target: number }
  | { kind: 'replay' };

const target = fc.nat(20);
const share = fc.integer({ min: 1, max: 100 });
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant('issue' as const),
    origin: fc.constantFrom('manual' as const, 'subscription' as const, 'project' as const),
    amounts: fc.array(fc.integer({ min: 1, max: 500_000 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('pay' as const),
    target,
    share,
    over: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000 })),
  }),
  fc.record({
    kind: fc.constant('credit' as const),
    target,
    reason: fc.constantFrom('refund' as const, 'correction' as const, 'other' as const),
    share,
  }),
  fc.record({ kind: fc.constant('useCredit' as const), target }),
  fc.record({ kind: fc.constant('void' as const), target }),
  fc.record({ kind: fc.constant('writeOff' as const), target }),
  fc.constant({ kind: 'replay' as const }),
);

/** Refusals a random sequence meets (paying a void invoice, crediting what is left): skipped. */
async function unlessRefused(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InvalidInvoiceTransitionError) return;
    if (error instanceof InvalidInvoiceRequestError) return;
    throw error;
  }
}

describe('the journal over random billing histories', () => {
  it('always balances, with AR equal to the amounts due', { timeout: 240_000 }, async () => {
    const kindsPosted = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 20 }), async (actions) => {
        const { customerId, subscriptionId } = await newSubscribedCustomer(testDb.db);
        const projectId = `prj_${newId('je').slice(3)}`;
        await testDb.db
          .insertInto('projects')
          .values({
            id: projectId,
            customer_id: customerId,
            name: 'Build',
            currency: 'EUR',
            contract_value: 1_000_000,
            terms: '{}',
          })
          .execute();
        const invoices: string[] = [];
        let lastPayment: Parameters<typeof recordPayment>[1] | null = null;
        for (const [step, a] of actions.entries()) {
          const at = new Date(Date.UTC(2027, 0, 1 + step, 10)).toISOString();
          const pick = (i: number) => invoices[i % invoices.length]!;
          if (a.kind === 'issue') {
            const lines = a.amounts.map((amount) => line(amount, 'Work'));
            const issued =
              a.origin === 'manual'
                ? await manualInvoice(customerId, a.amounts, at)
                : a.origin === 'subscription'
                  ? (
                      await createPeriodInvoice(
                        testDb.db,
                        {
                          customerId,
                          subscriptionId,
                          currency: 'EUR',
                          periodStart: at,
                          periodEnd: new Date(Date.parse(at) + 86_400_000).toISOString(),
                          issuedAt: at,
                          lines,
                          billingKey: `${at}/boundary`,
                        },
                        options,
                      )
                    ).invoice
                  : (await createProjectInvoice(
                      testDb.db,
                      {
                        customerId,
                        projectId,
                        billingKey: `retainage/${step}`,
                        currency: 'EUR',
                        issuedAt: at,
                        lines,
                      },
                      options,
                    ))!.invoice;
            invoices.push(issued.id);
            // As its collection does first: the customer's credit pays what it can.
            await applyCreditBalance(testDb.db, issued.id, at);
            await expectLedgerMatchesDocuments(customerId);
            continue;
          }
          if (invoices.length === 0) continue;
          if (a.kind === 'pay') {
            const invoice = await testDb.db
              .selectFrom('invoices')
              .select('amount_due')
              .where('id', '=', pick(a.target))
              .executeTakeFirstOrThrow();
            const amount = Math.ceil((invoice.amount_due * a.share) / 100) + a.over;
            if (amount === 0) continue;
            lastPayment = {
              invoiceId: pick(a.target),
              amount,
              method: a.share % 2 === 0 ? 'card' : 'bank_transfer',
              reference: `ref-${step}`,
              paidAt: at,
              source: 'api',
            };
            const payment = lastPayment;
            await unlessRefused(() => recordPayment(testDb.db, payment));
          } else if (a.kind === 'credit') {
            const invoice = await testDb.db
              .selectFrom('invoices')
              .select(['total', 'amount_credited'])
              .where('id', '=', pick(a.target))
              .executeTakeFirstOrThrow();
            const amount = Math.ceil(((invoice.total - invoice.amount_credited) * a.share) / 100);
            if (amount === 0) continue;
            await unlessRefused(() =>
              issueCreditNote(testDb.db, pick(a.target), {
                reason: a.reason,
                credit: { amount },
                numbering,
                at,
              }),
            );
          } else if (a.kind === 'useCredit') {
            await applyCreditBalance(testDb.db, pick(a.target), at);
          } else if (a.kind === 'void') {
            await unlessRefused(() => voidInvoice(testDb.db, pick(a.target), { numbering, at }));
          } else if (a.kind === 'writeOff') {
            await unlessRefused(() => markUncollectible(testDb.db, pick(a.target), { at }));
          } else if (lastPayment) {
            const payment = lastPayment;
            await unlessRefused(() => recordPayment(testDb.db, payment));
          }
          await expectLedgerMatchesDocuments(customerId);
        }
        await expectLedgerMatchesDocuments(customerId);
        for (const l of await journalLines(testDb.db, { customerId })) kindsPosted.add(l.kind);
        const trial = await trialBalance(testDb.db, { currency: 'EUR' });
        expect(trial.reduce((t, a) => t + a.closing, 0)).toBe(0);
        expect(trial.reduce((t, a) => t + a.debit, 0)).toBe(
          trial.reduce((t, a) => t + a.credit, 0),
        );
      }),
      { numRuns: 60 },
    );
    // The histories reached every kind of event (payment_adjusted is recordPaymentTotals';
    // wallet credit's kinds are posted by test/workflows/wallets.test.ts).
    console.log(`[ledger] kinds posted: ${[...kindsPosted].sort().join(', ')}`);
    expect([...kindsPosted].sort()).toEqual(
      JOURNAL_KINDS.filter((k) => k !== 'payment_adjusted' && !k.startsWith('wallet_')).sort(),
    );
  });
});
