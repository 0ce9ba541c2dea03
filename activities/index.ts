// Every activity the worker registers, built from its dependencies (no module-level state).
import { createBillingActivities, type BillingDependencies } from './billing.ts';

export type ActivityDependencies = BillingDependencies;

export function createActivities(deps: ActivityDependencies) {
  return { ...createBillingActivities(deps) };
}
