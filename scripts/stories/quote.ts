// The quote stories for the replay test's histories (scripts/record-histories.ts). This one: an
// estimate of a per-seat plan issued as a quote, emailed with its signed link, and accepted by
// the customer: the answer recorded and the subscription it describes started. Its other
// branches are stories of their own (quote-project, quote-declined, quote-expired).
import { createPlan } from '../../services/catalog.ts';
import { createEstimate } from '../../services/estimates.ts';
import { answerQuote, issueQuote } from '../../services/quotes.ts';
import { quoteWorkflowId } from '../../workflow-contracts/ids.ts';
import type { quoteWorkflow } from '../../workflows/quote.ts';
import { replayCustomer, type Recording, type Story } from '../recording.ts';

/** What the quote stories set: a signing secret, so the quote's email carries its link. */
export const QUOTE_ENVIRONMENT = {
  BILLWRIGHT_SIGNING_SECRET: 'record-quote-history-secret-0123456789',
};

export const quote: Story = {
  name: 'quote',
  summary: 'a quote emailed with its acceptance link, accepted: its subscription started once',
  environment: QUOTE_ENVIRONMENT,
  async play(recording) {
    const { db, client } = recording;
    const issued = await issueSeatQuote(recording);
    await answerQuote({ db, temporal: client }, issued.id, {
      decision: 'accept',
      name: 'Ada Lovelace',
      title: 'CFO',
      ip: '203.0.113.7',
    });
    return closedQuote(recording, issued.id);
  },
};

/** A quote of four seats of a monthly per-seat plan, issued (valid 30 days) and emailed. */
export async function issueSeatQuote({ db, client, config, tax }: Recording) {
  const deps = { db, temporal: client };
  const customer = await replayCustomer(db, 'Europe/Paris');
  await createPlan(deps, {
    code: 'replay-seats',
    name: 'Replay seats',
    currency: 'EUR',
    interval: 'month',
    intervalCount: 1,
    taxBehavior: 'exclusive',
    charges: {
      charges: [
        {
          key: 'seats',
          description: 'Seats',
          billing: 'advance',
          type: 'per_seat',
          unitAmount: '1500',
        },
      ],
    },
    createdBy: 'replay',
  });
  const estimate = await createEstimate(
    { ...deps, tax },
    { planCode: 'replay-seats', customerId: customer.id, quantities: { seats: 4 } },
  );
  return issueQuote(
    { ...deps, numbering: config.invoiceNumbering },
    { estimateId: estimate.id, terms: 'Payable within 30 days of each invoice.' },
  );
}

/**
 * The quote's workflow once it has closed. Waited on through the time-skipping client, so a
 * quote left unanswered reaches the end of its validity at once.
 */
export async function closedQuote({ env }: Recording, quoteId: string) {
  const handle = env.client.workflow.getHandle<typeof quoteWorkflow>(quoteWorkflowId(quoteId));
  await handle.result();
  return handle;
}
