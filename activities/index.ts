// Every activity the worker registers, built from its dependencies (no module-level state).
import { createBillingActivities, type BillingDependencies } from './billing.ts';
import { createCollectionActivities, type CollectionDependencies } from './collections.ts';
import { createDocumentActivities, type DocumentDependencies } from './documents.ts';
import { createEmailActivities, type EmailDependencies } from './email.ts';
import { createTestClockActivities, type TestClockDependencies } from './test-clocks.ts';
import { createProjectActivities } from './projects.ts';
import {
  createPlanMigrationActivities,
  type PlanMigrationDependencies,
} from './plan-migrations.ts';

export type ActivityDependencies = BillingDependencies &
  DocumentDependencies &
  EmailDependencies &
  TestClockDependencies &
  CollectionDependencies &
  PlanMigrationDependencies;

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createBillingActivities(deps),
    ...createDocumentActivities(deps),
    ...createEmailActivities(deps),
    ...createTestClockActivities(deps),
    ...createProjectActivities(deps),
    ...createCollectionActivities(deps),
    ...createPlanMigrationActivities(deps),
  };
}

/** What workflows call through proxyActivities (import type only). */
export type Activities = ReturnType<typeof createActivities>;
