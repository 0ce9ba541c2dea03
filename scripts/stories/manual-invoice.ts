// The manual invoice story for the replay test's history (scripts/record-histories.ts): an
// operator's draft (POST /v1/invoices) finalized at 20:00 in the customer's zone and delivered
// as the finalize request starts it: found finalized, rendered, its email held for the sending
// window until 09:00 the next morning, then emailed.
import { DateTime } from 'luxon';
import { manualInvoiceStartOptions } from '../../temporal/project-start.ts';
import type { manualInvoiceWorkflow } from '../../workflows/manual-invoice.ts';
import { issueInvoice, replayCustomer, type Story } from '../recording.ts';

const TZ = 'Europe/Paris';

export const manualInvoice: Story = {
  name: 'manual-invoice',
  summary: 'a manual invoice finalized in the evening, rendered, held until 09:00, emailed',
  environment: { EMAIL_SEND_WINDOW: '09:00-17:00' },
  async play(recording) {
    const { db, env } = recording;
    const customer = await replayCustomer(db, TZ);
    // The evening, after the sending window has closed.
    const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: TZ });
    let evening = now.set({ hour: 20, minute: 0, second: 0, millisecond: 0 });
    if (evening <= now) evening = evening.plus({ days: 1 });
    await env.sleep(evening.toMillis() - now.toMillis());
    const invoice = await issueInvoice(recording, {
      customerId: customer.id,
      amount: 120_000,
      at: new Date(await env.currentTimeMs()).toISOString(),
      origin: 'manual',
    });
    const handle = await env.client.workflow.start<typeof manualInvoiceWorkflow>(
      'manualInvoiceWorkflow',
      manualInvoiceStartOptions({ invoiceId: invoice.id, customerId: customer.id, timezone: TZ }),
    );
    await handle.result();
    return handle;
  },
};
