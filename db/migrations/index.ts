// Every migration, by name. A static list (not a folder scan) so the same code runs from
// source, in tests and in a container image; names sort in the order they apply.
import type { Migration } from 'kysely/migration';
import * as foundation from './2026_11_23_0001_foundation.ts';
import * as usage from './2026_11_23_0002_usage.ts';
import * as catalog from './2026_11_23_0003_catalog.ts';
import * as estimates from './2026_11_23_0004_estimates.ts';
import * as customerTax from './2026_11_23_0005_customer_tax.ts';
import * as invoiceLifecycle from './2026_11_23_0006_invoice_lifecycle.ts';
import * as documentVersions from './2026_11_23_0007_document_versions.ts';
import * as subscriptionLifecycle from './2026_11_23_0008_subscription_lifecycle.ts';
import * as subscriptionChanges from './2026_11_23_0009_subscription_changes.ts';
import * as testClocks from './2026_11_23_0010_test_clocks.ts';
import * as collections from './2026_11_23_0011_collections.ts';
import * as projects from './2026_11_23_0012_projects.ts';

export const migrations: Record<string, Migration> = {
  '2026_11_23_0001_foundation': foundation,
  '2026_11_23_0002_usage': usage,
  '2026_11_23_0003_catalog': catalog,
  '2026_11_23_0004_estimates': estimates,
  '2026_11_23_0005_customer_tax': customerTax,
  '2026_11_23_0006_invoice_lifecycle': invoiceLifecycle,
  '2026_11_23_0007_document_versions': documentVersions,
  '2026_11_23_0008_subscription_lifecycle': subscriptionLifecycle,
  '2026_11_23_0009_subscription_changes': subscriptionChanges,
  '2026_11_23_0010_test_clocks': testClocks,
  '2026_11_23_0011_collections': collections,
  '2026_11_23_0012_projects': projects,
};
