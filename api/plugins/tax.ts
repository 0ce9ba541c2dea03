// Tax for requests that price things (estimates) and check customers (clean data): the seller's
// registrations, the provider, and the rounding rule, the same the worker uses.
import fp from 'fastify-plugin';
import { loadConfig } from '../../config/index.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import type { TaxProvider } from '../../domain/tax/provider.ts';
import type { TaxRounding, TaxSeller } from '../../domain/tax/types.ts';

export interface ApiTax {
  seller: TaxSeller;
  provider: TaxProvider;
  rounding: TaxRounding;
}

declare module 'fastify' {
  interface FastifyInstance {
    tax: ApiTax;
  }
}

export function taxFromEnv(env: NodeJS.ProcessEnv = process.env): ApiTax {
  const config = loadConfig(env);
  return {
    seller: config.taxSeller,
    provider: createBuiltInTaxProvider(),
    rounding: config.taxRounding,
  };
}

export default fp<{ tax?: ApiTax | undefined }>(
  (app, options, done) => {
    app.decorate('tax', options.tax ?? taxFromEnv());
    done();
  },
  { name: 'tax' },
);
