// A manual invoice is created and finalized by the API (POST /v1/invoices); its workflow only
// waits for the finalized row before delivering it as every other invoice.
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/connect.ts';

export function createManualInvoiceActivities({ db }: { db: Db }) {
  return {
    /** The number of a finalized invoice; retried while the finalizing transaction commits. */
    async finalizedInvoice(input: { invoiceId: string }): Promise<{ number: string }> {
      const row = await db
        .selectFrom('invoices')
        .select(['status', 'number'])
        .where('id', '=', input.invoiceId)
        .executeTakeFirst();
      if (!row || row.status === 'draft' || !row.number) {
        throw ApplicationFailure.retryable(`invoice ${input.invoiceId} is not finalized yet`);
      }
      return { number: row.number };
    },
  };
}

/** What the manual invoice workflow calls through proxyActivities (import type only). */
export type ManualInvoiceActivities = ReturnType<typeof createManualInvoiceActivities>;
