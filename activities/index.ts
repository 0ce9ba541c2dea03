// Every activity the worker registers, built from its dependencies (no module-level state).
import { createBillingActivities, type BillingDependencies } from './billing.ts';
import { createCollectionActivities, type CollectionDependencies } from './collections.ts';
import { createDocumentActivities, type DocumentDependencies } from './documents.ts';
import { createEmailActivities, type EmailDependencies } from './email.ts';

export type ActivityDependencies = BillingDependencies &
  DocumentDependencies &
  EmailDependencies &
  CollectionDependencies;

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createBillingActivities(deps),
    ...createDocumentActivities(deps),
    ...createEmailActivities(deps),
    ...createCollectionActivities(deps),
  };
}

/** What workflows call through proxyActivities (import type only). */
export type Activities = ReturnType<typeof createActivities>;
