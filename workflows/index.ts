// Every workflow the worker registers (the bundle's entry point).
export { subscriptionWorkflow } from './subscription.ts';
export { collectionWorkflow } from './collection.ts';
