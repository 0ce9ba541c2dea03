// The configuration's values the worker's activities work with, picked here so that activities
// name only the settings they use and never see config/.
import type { ActivitySettings } from '../activities/index.ts';
import type { BillwrightConfig } from '../config/index.ts';

export function activitySettingsOf(config: BillwrightConfig): ActivitySettings {
  return {
    seller: config.seller,
    brand: config.brand,
    invoiceNumbering: config.invoiceNumbering,
    emailFrom: config.emailFrom,
    publicBaseUrl: config.publicBaseUrl,
    signingSecret: config.signingSecret,
    emailSendWindow: config.emailSendWindow,
    webhooks: config.webhooks,
  };
}
