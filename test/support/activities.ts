// The real activities, as the worker wires them, on a test database: Handlebars documents, the
// PostgreSQL outbox for email, the built-in tax provider for the configured seller.
import { balanceReader } from '../../services/balance.ts';
import { subscriptionMover } from '../../services/plan-migrations.ts';
import { quotedProjectStarter, quotedSubscriptionStarter } from '../../services/quotes.ts';
import type { Client } from '@temporalio/client';
import type { AccountingSystem } from '../../accounting/port.ts';
import { createActivities } from '../../activities/index.ts';
import { loadConfig, type BillwrightConfig } from '../../config/index.ts';
import type { Db } from '../../db/connect.ts';
import type { PdfRenderer } from '../../documents/pdf.ts';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import type { TaxProvider } from '../../domain/tax/provider.ts';
import { createOutboxSender } from '../../email/outbox-sender.ts';
import { activitySettingsOf } from '../../runtime/activity-settings.ts';

export type Activities = ReturnType<typeof createActivities>;

/**
 * With `collections`, subscription invoices start their collection workflows. Off by default:
 * the time-skipping test server hangs env.sleep once a workflow has started an abandoned child
 * (temporalio/sdk-typescript#1101), and tests of billing alone need no dunning.
 */
export function realActivities(
  db: Db,
  config: BillwrightConfig = loadConfig({}),
  options: {
    collections?: boolean;
    temporal?: Client;
    pdf?: Pick<PdfRenderer, 'render'>;
    /** Instead of the built-in provider (a test's provider that fails, as a tax service may). */
    taxProvider?: TaxProvider;

    accounting?: AccountingSystem;
  } = {},
): Activities {
  const useCaseTax = {
    provider: options.taxProvider ?? createBuiltInTaxProvider(),
    seller: config.taxSeller,
    rounding: config.taxRounding,
  };
  return createActivities({
    db,
    temporal: options.temporal,
    moveSubscription: options.temporal && subscriptionMover({ db, temporal: options.temporal }),
    startQuotedSubscription:
      options.temporal &&
      quotedSubscriptionStarter({ db, temporal: options.temporal, tax: useCaseTax }),
    startQuotedProject:
      options.temporal &&
      quotedProjectStarter({ db, temporal: options.temporal, seller: config.taxSeller }),
    readBalance:
      options.temporal && balanceReader({ db, temporal: options.temporal, tax: useCaseTax }),
    collections: options.collections ?? false,
    renderer: createDocumentRenderer({ brand: config.brand }),
    email: createOutboxSender(db),
    pdf: options.pdf,
    accounting: options.accounting,
    ...activitySettingsOf(config),
    tax: {
      provider: options.taxProvider ?? createBuiltInTaxProvider(),
      seller: config.taxSeller,
      rounding: config.taxRounding,
    },
  });
}
