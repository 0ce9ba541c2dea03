// Every workflow the worker registers (the bundle's entry point).
export { subscriptionWorkflow } from './subscription.ts';
export { testClockAdvance } from './test-clock.ts';
