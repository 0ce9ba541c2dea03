// The quote story for the replay test's history (scripts/record-histories.ts): an estimate of a
// per-seat plan issued as a quote, emailed with its signed link, and accepted by the customer:
// the answer recorded and the subscription it describes started.
import { createPlan } from '../../services/catalog.ts';
import { createEstimate } from '../../services/estimates.ts';
import { answerQuote, issueQuote } from '../../services/quotes.ts';
import { quoteWorkflowId } from '../../workflow-contracts/ids.ts';
import { replayCustomer, type Story } from '../recording.ts';

export const quote: Story = {
  name: 'quote',
  summary: 'a quote emailed with its acceptance link, accepted: its subscription started once',
  environment: { BILLWRIGHT_SIGNING_SECRET: 'record-quote-history-secret-0123456789' },
  async play({ db, client, config, tax }) {
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
    const issued = await issueQuote(
      { ...deps, numbering: config.invoiceNumbering },
      { estimateId: estimate.id, terms: 'Payable within 30 days of each invoice.' },
    );
    await answerQuote(deps, issued.id, {
      decision: 'accept',
      name: 'Ada Lovelace',
      title: 'CFO',
      ip: '203.0.113.7',
    });
    const handle = client.workflow.getHandle(quoteWorkflowId(issued.id));
    await handle.result();
    return handle;
  },
};
