// The built-in rates table, with each rate's source: what the built-in tax provider looks up.
import type { TaxRateTable } from '../types.ts';
import { GST_RATES } from './gst.ts';
import { US_SALES_TAX_RATES, US_TAXABILITY } from './us-sales-tax.ts';
import { VAT_RATES } from './vat.ts';

export const BUILT_IN_RATES: TaxRateTable = {
  rates: [...VAT_RATES, ...GST_RATES, ...US_SALES_TAX_RATES],
  usTaxability: US_TAXABILITY,
};
