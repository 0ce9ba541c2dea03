// The invoice lifecycle on real PostgreSQL: gap-free numbering under concurrency and rollback,
// per-month series in the seller's zone, tax and snapshots at finalization, transitions, the
// database's own checks, and credit notes that never exceed the invoice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { issueCreditNote, listCreditNotes } from '../../db/repositories/credit-notes.ts';
import { getInvoice, getInvoiceLines } from '../../db/repositories/invoices.ts';
import {
  createDraftInvoice,
  updateDraft,
  type NewInvoiceLine,
} from '../../db/repositories/invoice-drafts.ts';
import {
  InvalidInvoiceRequestError,
  InvalidInvoiceTransitionError,
} from '../../db/repositories/invoice-errors.ts';
import {
  finalizeInvoice,
  type FinalizeOptions,
} from '../../db/repositories/invoice-finalization.ts';
import {
  markUncollectible,
  recordPaymentTotals,
  voidInvoice,
} from '../../db/repositories/invoice-lifecycle.ts';
import { newId } from '../../db/ids.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { finalizeOptions, insertInvoiceRow } from '../support/builders/invoices.ts';

let testDb: TestDatabase;
let customerId: string;
const config = loadConfig({});
const options: FinalizeOptions = finalizeOptions(config);

const pro: NewInvoiceLine = { description: 'Pro', quantity: '1', unitAmount: '4900', amount: 4900 };

beforeAll(async () => {
  testDb = await createTestDatabase();
  // A French consumer of the Irish demo seller: 20 % FR VAT through the OSS.
  customerId = (await insertCustomer(testDb.db)).id;
});

afterAll(async () => {
  await testDb?.destroy();
});

function draft(lines: NewInvoiceLine[] = [pro], extra: { taxBehavior?: 'inclusive' } = {}) {
  return createDraftInvoice(testDb.db, { customerId, currency: 'EUR', lines, ...extra });
}

/** A private series per test, so tests do not share counters. */
function numbering(prefix: string, format = `${prefix}-{YYYY}-{SEQ:6}`) {
  return { ...config.invoiceNumbering, invoiceFormat: format, creditNoteFormat: `C${format}` };
}

const sequenceOf = (number: string | null) => Number(/(\d+)$/.exec(number!)![1]);

describe('numbering', () => {
  it('gives 200 parallel finalizations 200 consecutive numbers, no gap, no duplicate', async () => {
    const drafts = await Promise.all(Array.from({ length: 200 }, () => draft()));
    const settings = { ...options, numbering: numbering('PAR'), at: '2027-03-15T12:00:00Z' };
    const finalized = await Promise.all(
      drafts.map((d) => finalizeInvoice(testDb.db, d.id, settings)),
    );
    const numbers = finalized.map((i) => i.number!);
    expect(new Set(numbers).size).toBe(200);
    expect(numbers.every((n) => /^PAR-2027-\d{6}$/.test(n))).toBe(true);
    expect(numbers.map(sequenceOf).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    const counter = await testDb.db
      .selectFrom('number_series')
      .select('last_value')
      .where('series', '=', 'PAR-2027-{SEQ}')
      .executeTakeFirstOrThrow();
    expect(counter.last_value).toBe(200);
  });

  it('a rolled-back finalization leaves no gap and no number on the draft', async () => {
    const settings = { ...options, numbering: numbering('RB'), at: '2027-05-01T10:00:00Z' };
    const [a, b, c] = [await draft(), await draft(), await draft()];
    expect((await finalizeInvoice(testDb.db, a.id, settings)).number).toBe('RB-2027-000001');
    await expect(
      testDb.db.transaction().execute(async (trx) => {
        const inside = await finalizeInvoice(trx, b.id, settings);
        expect(inside.number).toBe('RB-2027-000002');
        throw new Error('the caller fails after finalizing');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await getInvoice(testDb.db, b.id)).toMatchObject({ status: 'draft', number: null });
    expect((await finalizeInvoice(testDb.db, c.id, settings)).number).toBe('RB-2027-000002');
    expect((await finalizeInvoice(testDb.db, b.id, settings)).number).toBe('RB-2027-000003');
  });

  it('runs one series per month of the seller’s calendar with {MM}', async () => {
    const monthly = numbering('M', 'M-{YYYY}{MM}-{SEQ:4}');
    const at = async (instant: string) =>
      (
        await finalizeInvoice(testDb.db, (await draft()).id, {
          ...options,
          numbering: monthly,
          at: instant,
        })
      ).number;
    expect(await at('2027-03-01T09:00:00Z')).toBe('M-202703-0001');
    expect(await at('2027-03-31T12:00:00Z')).toBe('M-202703-0002');
    // 23:30 UTC on 31 March is 00:30 on 1 April in Dublin (summer time): April's series.
    expect(await at('2027-03-31T23:30:00Z')).toBe('M-202704-0001');
    // 23:30 UTC on 31 January is still January in Dublin (GMT).
    expect(await at('2027-01-31T23:30:00Z')).toBe('M-202701-0001');
  });
});

describe('lifecycle', () => {
  it('finalizes a draft once: taxed, numbered, due after the payment terms, with snapshots', async () => {
    await testDb.db
      .updateTable('customers')
      .set({ payment_terms_days: 30, address_line1: '3 rue de la Paix', city: 'Paris' })
      .where('id', '=', customerId)
      .execute();
    const d = await draft([pro, { ...pro, description: 'Extra seat', discountAmount: 900 }]);
    expect(d).toMatchObject({ status: 'draft', number: null, issued_at: null, due_at: null });
    expect(d).toMatchObject({ subtotal: 9800, discount_total: 900, tax: 0, total: 8900 });

    const edited = await updateDraft(testDb.db, d.id, {
      lines: [pro, { ...pro, description: 'Extra seat', amount: 2000, discountAmount: 500 }],
    });
    expect(edited).toMatchObject({ subtotal: 6900, discount_total: 500, total: 6400 });

    const settings = { ...options, numbering: numbering('LIFE'), at: '2027-06-10T08:00:00Z' };
    const open = await finalizeInvoice(testDb.db, d.id, settings);
    // 20 % FR VAT on 49.00 and on 20.00 − 5.00.
    expect(open).toMatchObject({
      status: 'open',
      number: 'LIFE-2027-000001',
      subtotal: 6900,
      discount_total: 500,
      tax: 980 + 300,
      total: 6400 + 1280,
      amount_due: 7680,
      tax_provider: 'built-in',
      tax_date: '2027-06-10',
    });
    expect(open.issued_at!.toISOString()).toBe('2027-06-10T08:00:00.000Z');
    expect(open.due_at!.toISOString()).toBe('2027-07-10T08:00:00.000Z');
    expect(open.tax_breakdown).toMatchObject([
      { treatment: 'taxable', jurisdiction: 'FR', rate: '20', taxAmount: { amount: 1280 } },
    ]);
    expect(open.customer_details).toMatchObject({
      name: 'Acme SAS',
      address: { line1: '3 rue de la Paix', city: 'Paris', country: 'FR' },
    });
    expect(open.seller_details).toMatchObject({
      legalName: 'Billwright Demo Ltd',
      country: 'IE',
      registrations: { eu: { vatNumber: 'IE1234567T', oss: true } },
    });
    const lines = await getInvoiceLines(testDb.db, d.id);
    expect(lines.map((l) => [l.tax_amount, Number(l.tax_rate), l.total_amount])).toEqual([
      [980, 20, 5880],
      [300, 20, 1800],
    ]);

    // Idempotent: finalizing again returns the same invoice and takes no number.
    const again = await finalizeInvoice(testDb.db, d.id, settings);
    expect(again.number).toBe('LIFE-2027-000001');
    await expect(updateDraft(testDb.db, d.id, { lines: [pro] })).rejects.toThrow(
      InvalidInvoiceTransitionError,
    );
    await testDb.db
      .updateTable('customers')
      .set({ payment_terms_days: 0 })
      .where('id', '=', customerId)
      .execute();
  });

  it('moves through partially paid and paid by amount, and refuses to void a paid invoice', async () => {
    const settings = { ...options, numbering: numbering('PAY') };
    const invoice = await finalizeInvoice(testDb.db, (await draft()).id, settings);
    expect(invoice.due_at!.getTime()).toBe(invoice.issued_at!.getTime()); // due on receipt
    const partial = await recordPaymentTotals(testDb.db, invoice.id, { amountPaid: 2000 });
    expect(partial).toMatchObject({
      status: 'partially_paid',
      amount_paid: 2000,
      amount_due: 3880,
    });
    const paid = await recordPaymentTotals(testDb.db, invoice.id, { amountPaid: 5880 });
    expect(paid).toMatchObject({ status: 'paid', amount_due: 0 });
    expect(paid.paid_at).not.toBeNull();
    await expect(recordPaymentTotals(testDb.db, invoice.id, { amountPaid: 5881 })).rejects.toThrow(
      InvalidInvoiceRequestError,
    );
    const error = await voidInvoice(testDb.db, invoice.id, settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInvoiceTransitionError);
    expect((error as Error).message).toMatch(/cannot void an invoice that is paid/);
    await expect(markUncollectible(testDb.db, invoice.id)).rejects.toThrow(
      InvalidInvoiceTransitionError,
    );
  });

  it('voids an open invoice with a full credit note, once', async () => {
    const settings = { ...options, numbering: numbering('VOID'), at: '2027-07-01T10:00:00Z' };
    const invoice = await finalizeInvoice(testDb.db, (await draft()).id, settings);
    const { invoice: voided, creditNote } = await voidInvoice(testDb.db, invoice.id, settings);
    expect(voided).toMatchObject({ status: 'void', amount_credited: 5880, amount_due: 0 });
    expect(creditNote!.creditNote).toMatchObject({
      number: 'CVOID-2027-000001',
      reason: 'void',
      subtotal: 4900,
      tax: 980,
      total: 5880,
    });
    expect(creditNote!.lines).toMatchObject([{ amount: 5880, tax_amount: 980 }]);
    const again = await voidInvoice(testDb.db, invoice.id, settings);
    expect(again.creditNote!.creditNote.id).toBe(creditNote!.creditNote.id);
    await expect(recordPaymentTotals(testDb.db, invoice.id, { amountPaid: 1 })).rejects.toThrow(
      /cannot record a payment on an invoice that is void/,
    );
    // A draft cannot be voided or written off: it is edited (or deleted) instead.
    const d = await draft();
    await expect(voidInvoice(testDb.db, d.id, settings)).rejects.toThrow(
      InvalidInvoiceTransitionError,
    );
    await expect(markUncollectible(testDb.db, d.id)).rejects.toThrow(InvalidInvoiceTransitionError);
  });

  it('writes off open and partially paid invoices, which may still be paid later', async () => {
    const settings = { ...options, numbering: numbering('UNC') };
    const invoice = await finalizeInvoice(testDb.db, (await draft()).id, settings);
    const written = await markUncollectible(testDb.db, invoice.id);
    expect(written.status).toBe('uncollectible');
    expect(written.marked_uncollectible_at).not.toBeNull();
    expect((await markUncollectible(testDb.db, invoice.id)).status).toBe('uncollectible');
    const paid = await recordPaymentTotals(testDb.db, invoice.id, { amountPaid: 5880 });
    expect(paid.status).toBe('paid');
  });

  it('taxes inclusive prices inside the total', async () => {
    const settings = { ...options, numbering: numbering('INCL') };
    const d = await draft([pro], { taxBehavior: 'inclusive' });
    const invoice = await finalizeInvoice(testDb.db, d.id, settings);
    // 4900 × 20/120 = 816.67 → 817 of VAT inside EUR 49.00.
    expect(invoice).toMatchObject({ subtotal: 4900, tax: 817, total: 4900, amount_due: 4900 });
  });
});

describe('tax before the lock', () => {
  /** The built-in provider, counting its calls; `during` runs inside the first one. */
  function countingTax(during?: () => Promise<void>) {
    const provider = options.tax.provider;
    const counted = { calls: 0 };
    const tax = {
      ...options.tax,
      provider: {
        name: provider.name,
        async calculate(request: Parameters<typeof provider.calculate>[0]) {
          counted.calls++;
          if (counted.calls === 1) await during?.();
          return provider.calculate(request);
        },
      },
    };
    return { counted, settings: { ...options, tax, numbering: numbering('TAX') } };
  }

  it('taxes a draft once, before its lock, when nothing changed meanwhile', async () => {
    const { id } = await draft();
    const { counted, settings } = countingTax();
    const invoice = await finalizeInvoice(testDb.db, id, settings);
    expect(counted.calls).toBe(1);
    expect(invoice).toMatchObject({ status: 'open', tax: 980, total: 5880 });
  });

  it('taxes it again under the lock when its lines changed after the first computation', async () => {
    const { id } = await draft();
    // An edit lands while the provider answers for the old lines.
    const { counted, settings } = countingTax(async () => {
      await updateDraft(testDb.db, id, {
        lines: [{ description: 'Pro', quantity: '2', unitAmount: '4900', amount: 9800 }],
      });
    });
    const invoice = await finalizeInvoice(testDb.db, id, settings);
    expect(counted.calls).toBe(2);
    expect(invoice).toMatchObject({ subtotal: 9800, tax: 1960, total: 11760 });
    expect((await getInvoiceLines(testDb.db, id)).map((l) => l.tax_amount)).toEqual([1960]);
  });
});

describe('database checks', () => {
  const row = (values: Record<string, unknown>) =>
    insertInvoiceRow(testDb.db, {
      number: newId('inv'),
      customer_id: customerId,
      due_at: '2027-01-01T00:00:00Z',
      ...values,
    });

  it('rejects a row whose totals disagree, for either price basis', async () => {
    await row({}); // exclusive: 4900 − 0 + 980
    await row({ tax_behavior: 'inclusive', total: 4900, tax: 817 });
    await row({ discount_total: 900, total: 4980 });
    await expect(row({ total: 4900 })).rejects.toThrow(/invoices_totals_check/);
    await expect(row({ tax_behavior: 'inclusive' })).rejects.toThrow(/invoices_totals_check/);
    await expect(row({ discount_total: 900 })).rejects.toThrow(/invoices_totals_check/);
  });

  it('rejects a finalized invoice without a number and a draft with one', async () => {
    await expect(row({ number: null })).rejects.toThrow(/invoices_finalized_check/);
    await expect(row({ status: 'draft' })).rejects.toThrow(/invoices_finalized_check/);
    await expect(row({ status: 'finalized' })).rejects.toThrow(/invoices_status_check/);
  });

  it('rejects credits above the invoice total', async () => {
    const id = newId('inv');
    await row({ id });
    await expect(
      testDb.db
        .updateTable('invoices')
        .set({ amount_credited: 5881 })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/invoices_credited_within_total_check/);
  });
});

describe('credit notes', () => {
  it('credit by amount or by line, never more than is left, numbered in their own series', async () => {
    const settings = { ...options, numbering: numbering('CRD'), at: '2027-08-01T10:00:00Z' };
    const invoice = await finalizeInvoice(
      testDb.db,
      (await draft([pro, { ...pro, description: 'Seat', amount: 1000, unitAmount: '1000' }])).id,
      settings,
    );
    expect(invoice.total).toBe(7080); // 5880 + 1200
    const credit = (request: Parameters<typeof issueCreditNote>[2]['credit']) =>
      issueCreditNote(testDb.db, invoice.id, {
        reason: 'refund',
        credit: request,
        numbering: settings.numbering,
        at: settings.at,
      });

    const first = await credit({ lines: [{ position: 1, amount: 600 }] });
    expect(first.creditNote).toMatchObject({
      number: 'CCRD-2027-000001',
      total: 600,
      tax: 100,
      subtotal: 500,
    });
    await expect(credit({ lines: [{ position: 1, amount: 601 }] })).rejects.toThrow(
      /exceeds what line 1 has left to credit \(600\)/,
    );
    await expect(credit({ lines: [{ position: 7, amount: 1 }] })).rejects.toThrow(/no line 7/);
    const second = await credit({ amount: 6000 });
    expect(second.creditNote.total).toBe(6000);
    expect(second.lines.reduce((t, l) => t + l.amount, 0)).toBe(6000);
    await expect(credit({ amount: 481 })).rejects.toThrow(InvalidInvoiceRequestError);
    const last = await credit({ amount: 480 });
    expect(last.creditNote.number).toBe('CCRD-2027-000003');

    const after = await getInvoice(testDb.db, invoice.id);
    expect(after).toMatchObject({ amount_credited: 7080, amount_due: 0, status: 'paid' });
    const notes = await listCreditNotes(testDb.db, invoice.id);
    // Every cent of tax is given back exactly once across the three notes.
    expect(notes.reduce((t, n) => t + n.creditNote.tax, 0)).toBe(invoice.tax);
    await expect(credit({ amount: 1 })).rejects.toThrow(InvalidInvoiceRequestError);
  });

  it('two concurrent credits cannot together exceed the invoice', async () => {
    const settings = { ...options, numbering: numbering('RACE') };
    const invoice = await finalizeInvoice(testDb.db, (await draft()).id, settings);
    const results = await Promise.allSettled(
      [3000, 3000, 3000].map((amount) =>
        issueCreditNote(testDb.db, invoice.id, {
          reason: 'correction',
          credit: { amount },
          numbering: settings.numbering,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await getInvoice(testDb.db, invoice.id))!.amount_credited).toBe(3000);
  });

  it('drafts are edited, not credited', async () => {
    const d = await draft();
    await expect(
      issueCreditNote(testDb.db, d.id, {
        reason: 'other',
        credit: { amount: 1 },
        numbering: config.invoiceNumbering,
      }),
    ).rejects.toThrow(/cannot credit an invoice that is draft/);
  });
});
