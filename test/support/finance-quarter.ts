// A first quarter of billing on a test clock, told through the public API, for the finance
// dashboard's browser test and its screenshots (scripts/dashboard-screenshots.ts): four customers
// in Paris (payment terms 14 days). Initech (Pro) and Globex (Team) subscribe on 4 January 2027,
// and Hooli (Pro); Initech pays every invoice on time, Globex pays its February invoice late,
// Hooli never pays and cancels in February (its invoices stay overdue); Umbrella (Team)
// subscribes in February. The clock ends on 10 March 2027.
import { eventually } from './temporal.ts';

/** The API as the story needs it: 2xx answers' JSON, and a clock advance that waits for billing. */
export interface StoryApi {
  post<T>(path: string, body: object): Promise<T>;
  get<T>(path: string): Promise<T>;
  advanceClock(clockId: string, to: string): Promise<void>;
}

export const QUARTER = {
  start: '2027-01-04T09:00:00.000Z',
  end: '2027-03-10T09:00:00.000Z',
  currency: 'EUR',
  from: '2027-01',
  to: '2027-03',
} as const;

interface Invoice {
  id: string;
  amountDue: { amount: number };
}

export interface FinanceQuarter {
  clockId: string;
  customers: Record<'initech' | 'globex' | 'hooli' | 'umbrella', string>;
}

export async function tellFinanceQuarter(api: StoryApi): Promise<FinanceQuarter> {
  const { id: clockId } = await api.post<{ id: string }>('/v1/test-clocks', {
    frozenTime: QUARTER.start,
  });
  for (const [code, name, amount] of [
    ['dash-pro', 'Pro', 4_900],
    ['dash-team', 'Team', 12_900],
  ] as const)
    await api.post('/v1/plans', { code, name, currency: 'EUR', interval: 'month', amount });
  const customer = async (name: string, email: string) =>
    (
      await api.post<{ id: string }>('/v1/customers', {
        name,
        email,
        currency: 'EUR',
        country: 'FR',
        timezone: 'Europe/Paris',
        locale: 'en-GB',
        paymentTermsDays: 14,
        testClockId: clockId,
      })
    ).id;
  const subscribe = async (customerId: string, planCode: string) =>
    (await api.post<{ id: string }>('/v1/subscriptions', { customerId, planCode })).id;
  /** The subscription's invoices once it has `count`, oldest first. */
  const invoices = (subscriptionId: string, count: number) =>
    eventually(
      `invoice ${count} of ${subscriptionId}`,
      async () => {
        const page = await api.get<{ data: Invoice[] }>(
          `/v1/invoices?subscriptionId=${subscriptionId}&limit=100`,
        );
        return page.data.length >= count ? page.data.reverse() : undefined;
      },
      45_000,
    );
  let payments = 0;
  const pay = async (invoice: Invoice) =>
    api.post(`/v1/invoices/${invoice.id}/payments`, {
      amount: invoice.amountDue.amount,
      method: 'bank transfer',
      reference: `wire-${++payments}`,
    });

  const initech = await customer('Initech SAS', 'ap@initech.test');
  const globex = await customer('Globex SARL', 'compta@globex.test');
  const hooli = await customer('Hooli SAS', 'finance@hooli.test');
  const initechSub = await subscribe(initech, 'dash-pro');
  const globexSub = await subscribe(globex, 'dash-team');
  const hooliSub = await subscribe(hooli, 'dash-pro');
  await pay((await invoices(initechSub, 1))[0]!);
  await pay((await invoices(globexSub, 1))[0]!);
  await invoices(hooliSub, 1);

  await api.advanceClock(clockId, '2027-02-05T09:00:00.000Z');
  await pay((await invoices(initechSub, 2))[1]!);
  await invoices(hooliSub, 2);
  await api.post(`/v1/subscriptions/${hooliSub}/cancel`, {
    cancelAt: 'period_end',
    reason: 'moving to another provider',
  });
  const umbrella = await customer('Umbrella SARL', 'billing@umbrella.test');
  await invoices(await subscribe(umbrella, 'dash-team'), 1);

  await api.advanceClock(clockId, '2027-02-25T09:00:00.000Z');
  await pay((await invoices(globexSub, 2))[1]!); // due 18 February: late

  await api.advanceClock(clockId, '2027-03-08T09:00:00.000Z');
  await pay((await invoices(initechSub, 3))[2]!);
  await invoices(globexSub, 3);
  await api.advanceClock(clockId, QUARTER.end);
  return { clockId, customers: { initech, globex, hooli, umbrella } };
}
