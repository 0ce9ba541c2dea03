// A project's invoices on real PostgreSQL: one per (project, business key) however often the
// activity retries, hours claimed in the invoice's own transaction, and an invoiced time entry
// that the database itself refuses to change or delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { newId } from '../../db/ids.ts';
import { createProjectInvoice } from '../../db/repositories/invoice-issuing.ts';
import { insertProject } from '../../db/repositories/projects.ts';
import {
  insertTimeEntry,
  uninvoicedHours,
  type NewTimeEntry,
} from '../../db/repositories/project-time-entries.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import { DEFAULT_NUMBERING } from '../../domain/invoicing/numbering.ts';
import type { ProjectTerms } from '../../domain/projects/terms.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertCustomer } from '../support/builders/customers.ts';

let testDb: TestDatabase;
const config = loadConfig({});
const finalize = {
  tax: {
    provider: createBuiltInTaxProvider(),
    seller: config.taxSeller,
    rounding: config.taxRounding,
  },
  numbering: DEFAULT_NUMBERING,
  seller: config.seller,
};

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.destroy();
});

const terms: ProjectTerms = {
  contractValue: 1_000_000,
  currency: 'EUR',
  sequential: true,
  milestones: [{ key: 'all', name: 'All', price: { balance: true }, requiresApproval: false }],
};

function entry(workDate: string, amount: number): NewTimeEntry {
  return {
    id: newId('te'),
    person: 'Ana',
    role: null,
    workDate,
    minutes: 60,
    billedMinutes: 60,
    hourlyRate: amount,
    amount,
    description: 'Work',
    billable: true,
  };
}

describe('project invoices', () => {
  it('are issued once per key, claim the hours before the cut-off, and freeze them', async () => {
    const { db } = testDb;
    const customer = await insertCustomer(db);
    const projectId = newId('prj');
    await insertProject(db, {
      id: projectId,
      customerId: customer.id,
      name: 'P',
      terms,
      milestones: [{ key: 'all', name: 'All', amount: 1_000_000 }],
    });
    const january = await insertTimeEntry(db, projectId, entry('2027-01-31', 10_000), undefined);
    const february = await insertTimeEntry(db, projectId, entry('2027-02-01', 20_000), undefined);
    const issue = () =>
      createProjectInvoice(
        db,
        {
          customerId: customer.id,
          projectId,
          billingKey: 'hours/2027-01',
          currency: 'EUR',
          issuedAt: '2027-01-31T23:00:00.000Z',
          lines: [],
        },
        finalize,
        uninvoicedHours(projectId, '2027-02-01', 'per_entry', (a) => `€${a / 100}`),
      );
    const first = await issue();
    const retry = await issue();
    expect(first).toMatchObject({ created: true, invoice: { subtotal: 10_000, status: 'open' } });
    expect(retry).toMatchObject({ created: false, invoice: { id: first!.invoice.id } });
    const rows = await db
      .selectFrom('time_entries')
      .select(['id', 'invoice_id'])
      .where('project_id', '=', projectId)
      .orderBy('work_date')
      .execute();
    expect(rows).toEqual([
      { id: january.entry.id, invoice_id: first!.invoice.id },
      { id: february.entry.id, invoice_id: null },
    ]);

    // Nothing to invoice: no invoice, no number taken.
    const none = await createProjectInvoice(
      db,
      {
        customerId: customer.id,
        projectId,
        billingKey: 'hours/2026-12',
        currency: 'EUR',
        issuedAt: '2026-12-31T23:00:00.000Z',
        lines: [],
      },
      finalize,
      uninvoicedHours(projectId, '2027-01-01', 'per_entry', String),
    );
    expect(none).toBeNull();

    await expect(
      db
        .updateTable('time_entries')
        .set({ amount: 1 })
        .where('id', '=', january.entry.id)
        .execute(),
    ).rejects.toThrow(/is invoiced .*credit note/);
    await expect(
      db.deleteFrom('time_entries').where('id', '=', january.entry.id).execute(),
    ).rejects.toThrow(/is invoiced/);
    // Not yet invoiced: still editable.
    await db
      .updateTable('time_entries')
      .set({ description: 'Work (site)' })
      .where('id', '=', february.entry.id)
      .execute();
  });
});
