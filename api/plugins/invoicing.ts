// What changing invoices needs beyond tax (app.tax) and the seller (app.documents): how
// invoices and credit notes are numbered, the same settings the worker uses.
import fp from 'fastify-plugin';
import { loadConfig } from '../../config/index.ts';
import type { NumberingSettings } from '../../domain/invoicing/numbering.ts';

export interface ApiInvoicing {
  numbering: NumberingSettings;
}

declare module 'fastify' {
  interface FastifyInstance {
    invoicing: ApiInvoicing;
  }
}

export function invoicingFromEnv(env: NodeJS.ProcessEnv = process.env): ApiInvoicing {
  return { numbering: loadConfig(env).invoiceNumbering };
}

export default fp<{ invoicing?: ApiInvoicing | undefined }>(
  (app, options, done) => {
    app.decorate('invoicing', options.invoicing ?? invoicingFromEnv());
    done();
  },
  { name: 'invoicing' },
);
