// The production shape for real (infra/cluster/, as `npm run cluster` starts it): two Temporal
// server nodes on PostgreSQL behind one address, two workers and an API as separate processes.
// A subscription on a test clock renews while one Temporal node is killed with SIGKILL: each
// renewal is still invoiced and emailed exactly once, and the workflows stay visible with their
// search attributes (advanced visibility on PostgreSQL).
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../db/connect.ts';
import { createApiKey } from '../../db/repositories/api-keys.ts';
import { startCluster, waitUntil, type Cluster } from '../../infra/cluster/cluster.ts';
import { progress } from '../../runtime/log.ts';
import { connectClient } from '../../temporal/connection.ts';
import { CustomerId, TestClockId } from '../../workflow-contracts/search-attributes.ts';
import { TEST_PAYLOAD_KEYS_ENV } from '../support/payload-keys.ts';
import { testDataConverter } from '../support/temporal.ts';

let cluster: Cluster;
let apiUrl: string;
let key: string;

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** As waitUntil, with every process's last log lines when it times out (a node is down). */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) {
  try {
    return await waitUntil(what, Date.now() + timeoutMs, check);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await cluster.logs(20)}`, { cause: error });
  }
}

beforeAll(async () => {
  cluster = await startCluster({
    workers: 2,
    // One API is enough to drive it; both workers and both Temporal nodes are what is tested.
    apis: 1,
    env: {
      BILLWRIGHT_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS_ENV,
      BILLWRIGHT_TEST_CLOCKS: 'on',
      // What is under test is Temporal failing over, not PDF printing or dunning.
      BILLWRIGHT_EMAIL_PDF: 'link',
      BILLWRIGHT_COLLECTIONS: 'off',
    },
  });
  apiUrl = cluster.apis[0]!.url!;
  const db = await connectDatabase({ url: cluster.databaseUrl });
  try {
    ({ key } = await createApiKey(db, 'cluster-test'));
  } finally {
    await db.destroy();
  }
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

describe('Billwright on a two-node Temporal cluster', () => {
  it('renews exactly once while a Temporal node is killed, and the workflows stay searchable', async () => {
    const clock = await api('POST', '/v1/test-clocks', { frozenTime: '2027-01-15T10:00:00Z' });
    expect(clock.status).toBe(201);
    const clockId: string = clock.body.id;
    const customer = await api('POST', '/v1/customers', {
      name: 'Cluster Ltd',
      email: 'ap@cluster.test',
      currency: 'EUR',
      country: 'IE',
      timezone: 'Europe/Dublin',
      locale: 'en-IE',
      testClockId: clockId,
    });
    expect(customer.status).toBe(201);
    const customerId: string = customer.body.id;
    expect(
      (
        await api('POST', '/v1/plans', {
          code: 'cluster-monthly',
          name: 'Cluster (monthly)',
          currency: 'EUR',
          interval: 'month',
          amount: 4_900,
        })
      ).status,
    ).toBe(201);
    const subscription = await api('POST', '/v1/subscriptions', {
      customerId,
      planCode: 'cluster-monthly',
    });
    expect(subscription.status).toBe(201);

    const invoices = async () =>
      (await api('GET', `/v1/invoices?customerId=${customerId}&limit=100`)).body.data as {
        id: string;
        number: string;
        issuedAt: string;
      }[];
    const emails = async () =>
      (await api('GET', '/v1/outbox?to=ap@cluster.test')).body.data as { subject: string }[];
    const billed = (count: number) =>
      waitFor(`${count} invoices and ${count} emails`, 120_000, async () => {
        const [issued, sent] = [await invoices(), await emails()];
        return issued.length >= count && sent.length >= count ? { issued, sent } : undefined;
      });
    await billed(1);

    // Each renewal with one of the two nodes killed mid-way, so whichever node owns the
    // subscription's history shard, one renewal loses it. The killed node comes back afterwards,
    // as a restarted machine would.
    for (const [index, frozenTime] of [
      [0, '2027-02-15T10:00:00Z'],
      [1, '2027-03-15T10:00:00Z'],
    ] as const) {
      const advance = await waitFor('the advance to be accepted', 30_000, async () => {
        const answer = await api('POST', `/v1/test-clocks/${clockId}/advance`, { frozenTime });
        return answer.status === 202 ? answer : undefined;
      });
      expect(advance.body.status).toBe('advancing');
      const started = Date.now();
      await cluster.killNode(index);
      progress(`killed Temporal node${index + 1} right after advancing to ${frozenTime}`);
      await waitFor(`the clock at ${frozenTime}`, 120_000, async () => {
        const read = await api('GET', `/v1/test-clocks/${clockId}`);
        return read.body.status === 'ready' ? read.body : undefined;
      });
      await billed(index + 2);
      progress(`renewal billed ${Date.now() - started} ms after the kill`);
      await cluster.restartNode(index);
    }

    // Give a duplicate every chance to show up, then count.
    await delay(3_000);
    const issued = await invoices();
    expect(issued.map((invoice) => invoice.issuedAt).sort()).toEqual([
      '2027-01-15T10:00:00.000Z',
      '2027-02-15T10:00:00.000Z',
      '2027-03-15T10:00:00.000Z',
    ]);
    const sent = await emails();
    expect(sent).toHaveLength(3);
    for (const invoice of issued) {
      expect(sent.filter((email) => email.subject.includes(invoice.number))).toHaveLength(1);
    }

    // Advanced visibility on PostgreSQL: the custom search attributes are set and queryable.
    const client = await connectClient(
      { address: cluster.temporalAddress, namespace: 'default', options: {} },
      testDataConverter,
    );
    try {
      const found = await waitFor('the workflows by search attribute', 30_000, async () => {
        const ids: string[] = [];
        for await (const workflow of client.workflow.list({
          query: `CustomerId = '${customerId}' AND TestClockId = '${clockId}'`,
        })) {
          ids.push(workflow.workflowId);
        }
        return ids.includes(`subscription-${subscription.body.id}`) ? ids : undefined;
      });
      expect(found).toContain(`subscription-${subscription.body.id}`);
      const description = await client.workflow
        .getHandle(`subscription-${subscription.body.id}`)
        .describe();
      expect(description.typedSearchAttributes.get(CustomerId)).toBe(customerId);
      expect(description.typedSearchAttributes.get(TestClockId)).toBe(clockId);
    } finally {
      await client.connection.close();
    }
  }, 420_000);
});
