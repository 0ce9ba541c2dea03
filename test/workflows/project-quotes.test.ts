// A project quote end to end through the public API on a test clock, with the real quote and
// project workflows: POST /v1/project-quotes prices the deposit and milestones, the quote is
// emailed with its signed link, accepting it on the hosted page (twice at once) starts exactly one
// project with the quoted terms, whose deposit invoice is the quoted deposit; a retried start
// starts nothing more.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBillingHarness,
  created,
  newClock,
  type BillingHarness,
} from '../support/billing-harness.ts';
import { realActivities } from '../support/activities.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { eventually } from '../support/temporal.ts';
import { loadConfig } from '../../config/index.ts';

const ENVIRONMENT = { BILLWRIGHT_SIGNING_SECRET: 'project-quotes-secret-0123456789abcdef' };
const CUSTOMER_EMAIL = 'bureau@atelier.example';

interface Quote {
  id: string;
  number: string;
  status: string;
  estimateId: string;
  subscription: unknown;
  project: { name: string; contractValue: number } | null;
  projectId: string | null;
}

let h: BillingHarness;
let customerId: string;

const PROJECT = {
  name: 'Nouveau site',
  currency: 'EUR',
  contractValue: 1_000_000,
  deposit: { percent: '15' },
  milestones: [
    { key: 'design', name: 'Maquettes', percent: '30' },
    { key: 'launch', name: 'Mise en ligne', balance: true as const },
  ],
  retainagePercent: '5',
};

beforeAll(async () => {
  h = await createBillingHarness({ env: ENVIRONMENT });
  const clockId = await newClock(h, '2027-01-10T09:00:00.000Z');
  customerId = await postCustomer(h.api, {
    name: 'Atelier Lumière',
    email: CUSTOMER_EMAIL,
    testClockId: clockId,
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('a project quote', () => {
  it('refuses terms POST /v1/projects refuses, naming the field', async () => {
    const response = await h.post('/v1/project-quotes', {
      project: { ...PROJECT, customerId, currency: 'USD' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors: [{ field: 'project.currency' }] });
  });

  it('prices the deposit and milestones; accepted twice at once, it starts one project whose deposit invoice is the quoted deposit', async () => {
    const quote = created<Quote>(
      await h.post('/v1/project-quotes', {
        project: { ...PROJECT, customerId },
        terms: 'Paiement à 30 jours.',
      }),
    );
    expect(quote.number).toMatch(/Q-2027-\d{6}$/);
    expect(quote.subscription).toBeNull();
    expect(quote.project).toMatchObject({ name: 'Nouveau site', contractValue: 1_000_000 });

    const estimate = await h.get<{
      lines: { description: string; amount: { amount: number } }[];
    }>(`/v1/estimates/${quote.estimateId}`);
    expect(estimate.lines.map((l) => [l.description, l.amount.amount])).toEqual([
      ['Acompte, facturé au démarrage du projet', 150_000],
      ['Maquettes', 300_000],
      ['Mise en ligne', 550_000],
    ]);

    const mail = await eventually('quote emailed', async () =>
      (
        await h.api.db
          .selectFrom('outbox_messages')
          .selectAll()
          .where(sql<boolean>`${CUSTOMER_EMAIL} = any(to_addresses)`)
          .execute()
      ).find((m) => m.subject.includes(quote.number)),
    );
    const link = new URL(
      new RegExp(`https?://\\S+/hosted/quotes/${quote.id}\\?\\S+`).exec(mail.text)![0],
    );
    // The signed page shows the quote document (a project is priced at one instant: no period).
    const hosted = await h.api.request({ method: 'GET', url: link.pathname + link.search });
    expect(hosted.statusCode, hosted.body).toBe(200);
    expect(hosted.body).toContain(quote.number);
    expect(hosted.body).toContain('Maquettes');
    const accept = () =>
      h.api.request({
        method: 'POST',
        url: `${link.pathname}/accept${link.search}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ name: 'Camille Martin' }).toString(),
      });
    const answers = await Promise.all([accept(), accept()]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);

    const accepted = await h.get<Quote>(`/v1/quotes/${quote.id}`);
    expect(accepted.status).toBe('accepted');
    expect(accepted.projectId).toMatch(/^prj_/);
    const projects = await h.api.db
      .selectFrom('projects')
      .selectAll()
      .where('customer_id', '=', customerId)
      .execute();
    expect(projects.map((p) => p.id)).toEqual([accepted.projectId]);
    const project = await h.get<{ name: string; contractValue: object }>(
      `/v1/projects/${accepted.projectId}`,
    );
    expect(project).toMatchObject({
      name: 'Nouveau site',
      contractValue: { amount: 1_000_000, currency: 'EUR' },
    });

    const [deposit] = await eventually('deposit invoiced', async () => {
      const rows = await h.api.db
        .selectFrom('invoices')
        .selectAll()
        .where('project_id', '=', accepted.projectId)
        .execute();
      return rows.length > 0 ? rows : undefined;
    });
    expect(deposit!.billing_key).toBe('deposit');
    expect(deposit!.subtotal).toBe(estimate.lines[0]!.amount.amount);

    // A retried start (the activity run again) finds the project and starts nothing more.
    const activities = realActivities(h.api.db, loadConfig(ENVIRONMENT), {
      temporal: h.api.app.temporal,
    });
    await activities.startQuotedProject({ quoteId: quote.id });
    await activities.startQuotedProject({ quoteId: quote.id });
    const again = await h.api.db
      .selectFrom('projects')
      .select('id')
      .where('customer_id', '=', customerId)
      .execute();
    expect(again).toHaveLength(1);
  });
});
