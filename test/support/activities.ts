// The real activities, as the worker wires them, on a test database: Handlebars documents, the
// PostgreSQL outbox for email, the built-in tax provider for the configured seller.
import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities/index.ts';
import { loadConfig, type BillwrightConfig } from '../../config/index.ts';
import type { Db } from '../../db/connect.ts';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import { createOutboxSender } from '../../email/outbox-sender.ts';

export type Activities = ReturnType<typeof createActivities>;

export function realActivities(
  db: Db,
  config: BillwrightConfig = loadConfig({}),
  temporal?: Client,
): Activities {
  return createActivities({
    db,
    temporal,
    renderer: createDocumentRenderer({ brand: config.brand }),
    email: createOutboxSender(db),
    config,
    tax: {
      provider: createBuiltInTaxProvider(),
      seller: config.taxSeller,
      rounding: config.taxRounding,
    },
  });
}
