// Every invoice with money owing gets its collection workflow (reminders until paid), started by
// the workflow that issued it as a child that outlives it (ABANDON). Shared by the subscription
// lifecycle and the one-off invoice workflows (projects, manual invoices).
import { proxyLocalActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CollectionStartActivities } from '../activities/collections.ts';
import { toMajorUnitString, type Money } from '../domain/core/money.ts';
import { localStep } from './activity-options.ts';
import type { WorkflowClock } from './clock.ts';
import type { collectionWorkflow } from './collection.ts';
import { collectionStartFields } from './collection-messages.ts';

/** A setting read: a local activity, no task of its own. */
const acts = proxyLocalActivities<CollectionStartActivities>(localStep);

/** Whether collections are on (BILLWRIGHT_COLLECTIONS), read once per workflow run. */
export interface CollectionSwitch {
  enabled?: boolean;
}

export async function startInvoiceCollection(
  invoice: { invoiceId: string; number: string; total: Money },
  owner: { customerId: string; subscriptionId?: string; clock: WorkflowClock },
  collecting: CollectionSwitch,
): Promise<void> {
  collecting.enabled ??= await acts.collectionsEnabled.executeWithOptions(
    { summary: 'Read whether invoices are collected' },
    [],
  );
  if (!collecting.enabled) return;
  const { total } = invoice;
  try {
    await startChild<typeof collectionWorkflow>('collectionWorkflow', {
      ...collectionStartFields(
        {
          invoiceId: invoice.invoiceId,
          customerId: owner.customerId,
          ...(owner.subscriptionId && { subscriptionId: owner.subscriptionId }),
          ...(owner.clock.testClockId && { testClock: owner.clock.carry()! }),
        },
        { number: invoice.number, total: `${total.currency} ${toMajorUnitString(total)}` },
      ),
      parentClosePolicy: 'ABANDON',
    });
  } catch (error) {
    // Already collecting (started by an earlier attempt or the API): nothing to do.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
