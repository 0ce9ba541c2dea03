// Custom search attributes: what finance filters by in the Temporal UI.
// Values are opaque ids and states only, never personal data (names, emails, addresses).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const SubscriptionId = defineSearchAttributeKey(
  'SubscriptionId',
  SearchAttributeType.KEYWORD,
);
export const PlanCode = defineSearchAttributeKey('PlanCode', SearchAttributeType.KEYWORD);
export const BillingStatus = defineSearchAttributeKey('BillingStatus', SearchAttributeType.KEYWORD);
export const NextBillingAt = defineSearchAttributeKey(
  'NextBillingAt',
  SearchAttributeType.DATETIME,
);
export const ProjectId = defineSearchAttributeKey('ProjectId', SearchAttributeType.KEYWORD);
/** Set only on workflows billed on a test clock, so tests never mix with real customers. */
export const TestClockId = defineSearchAttributeKey('TestClockId', SearchAttributeType.KEYWORD);

/** Collection workflows: the invoice collected, and where its collection stands. */
export const InvoiceId = defineSearchAttributeKey('InvoiceId', SearchAttributeType.KEYWORD);
export const CollectionStatus = defineSearchAttributeKey(
  'CollectionStatus',
  SearchAttributeType.KEYWORD,
);

/** Every key the project registers on a namespace (dev server, or a production cluster). */
export const billwrightSearchAttributes = [
  CustomerId,
  SubscriptionId,
  PlanCode,
  BillingStatus,
  NextBillingAt,
  TestClockId,
  ProjectId,
  InvoiceId,
  CollectionStatus,
] as const;
