// United States sales tax: state base rates where SaaS is taxable, and each state's taxability.
import type { TaxRate, UsTaxability } from '../types.ts';
import { COVERAGE_START, entry } from './coverage.ts';

// ——— United States: state base rates only, where SaaS is taxable at state level ———
export const US_SALES_TAX_RATES: TaxRate[] = [
  entry(
    'US-CT',
    'Sales tax',
    'standard',
    '1',
    'Connecticut DRS: computer and data processing services (incl. SaaS) taxed at 1 % (Conn. Gen. Stat. § 12-408)',
  ),
  entry(
    'US-DC',
    'Sales tax',
    'standard',
    '6',
    'DC Code § 47-2001 and § 47-2002 (digital goods and SaaS), 6 %',
  ),
  entry(
    'US-MA',
    'Sales tax',
    'standard',
    '6.25',
    'Massachusetts DOR, 830 CMR 64H.1.3 (prewritten software incl. remote access), 6.25 %',
  ),
  entry(
    'US-NY',
    'Sales tax',
    'standard',
    '4',
    'NY Department of Taxation and Finance, TB-ST-128 (remotely accessed prewritten software), state rate 4 %',
  ),
  entry(
    'US-PA',
    'Sales tax',
    'standard',
    '6',
    'Pennsylvania DOR: canned software accessed remotely (72 P.S. § 7201(m), Act 84 of 2016), 6 %',
  ),
  entry(
    'US-RI',
    'Sales tax',
    'standard',
    '7',
    'Rhode Island Division of Taxation: vendor-hosted prewritten software taxable since 1 October 2018, 7 %',
  ),
  entry(
    'US-SD',
    'Sales tax',
    'standard',
    '4.2',
    'SDCL § 10-45-2 (products transferred electronically, services): 4.2 % from 1 July 2023 (HB 1137, 2023), scheduled to return to 4.5 % on 1 July 2027',
    COVERAGE_START,
    '2027-07-01',
  ),
  entry(
    'US-TN',
    'Sales tax',
    'standard',
    '7',
    'Tenn. Code Ann. § 67-6-231 (remotely accessed software), state rate 7 %',
  ),
  entry(
    'US-WA',
    'Sales tax',
    'standard',
    '6.5',
    'RCW 82.04.192 and 82.08.020 (digital automated services), state rate 6.5 %',
  ),
];

function usTaxability(
  state: string,
  taxable: boolean,
  source: string,
  reason?: string,
): UsTaxability {
  return {
    state,
    category: 'standard',
    taxable,
    ...(reason ? { reason } : {}),
    effectiveFrom: COVERAGE_START,
    source,
  };
}

const SAAS_EXEMPT = (state: string) => `SaaS is not taxable at state level in ${state}`;
const NO_SALES_TAX = (state: string) => `${state} levies no state sales tax`;

/** State-level taxability of 'standard' (SaaS, digital services). Absent state: not covered. */
export const US_TAXABILITY: UsTaxability[] = [
  ...['CT', 'DC', 'MA', 'NY', 'PA', 'RI', 'SD', 'TN', 'WA'].map((s) =>
    usTaxability(s, true, 'see the rate entry of the state'),
  ),
  usTaxability('AR', false, 'Arkansas DFA: SaaS not tangible personal property', SAAS_EXEMPT('AR')),
  usTaxability(
    'CA',
    false,
    'CDTFA Publication 109 (no transfer of tangible property)',
    SAAS_EXEMPT('CA'),
  ),
  usTaxability(
    'CO',
    false,
    'Colorado DOR: SaaS exempt at state level (home-rule cities differ)',
    SAAS_EXEMPT('CO'),
  ),
  usTaxability(
    'FL',
    false,
    'Florida DOR: remotely accessed software not taxable',
    SAAS_EXEMPT('FL'),
  ),
  usTaxability('GA', false, 'Georgia DOR: SaaS not tangible personal property', SAAS_EXEMPT('GA')),
  usTaxability(
    'ID',
    false,
    'Idaho Code § 63-3616 (remotely accessed software excluded, 2018)',
    SAAS_EXEMPT('ID'),
  ),
  usTaxability(
    'IL',
    false,
    'Illinois DOR: SaaS not taxable at state level (Chicago lease tax is local)',
    SAAS_EXEMPT('IL'),
  ),
  usTaxability(
    'IN',
    false,
    'Indiana DOR Information Bulletin #8 (remotely accessed software)',
    SAAS_EXEMPT('IN'),
  ),
  usTaxability(
    'KS',
    false,
    'Kansas DOR: remotely accessed software not taxable',
    SAAS_EXEMPT('KS'),
  ),
  usTaxability(
    'MI',
    false,
    'Michigan Treasury: remotely accessed software not taxable',
    SAAS_EXEMPT('MI'),
  ),
  usTaxability(
    'MN',
    false,
    'Minnesota DOR: SaaS not a specified digital product',
    SAAS_EXEMPT('MN'),
  ),
  usTaxability('MO', false, 'Missouri DOR: SaaS not tangible personal property', SAAS_EXEMPT('MO')),
  usTaxability(
    'NC',
    false,
    'NC DOR: remotely accessed software excluded (G.S. 105-164.13(43a))',
    SAAS_EXEMPT('NC'),
  ),
  usTaxability('NJ', false, 'NJ Division of Taxation TB-72 (SaaS not taxable)', SAAS_EXEMPT('NJ')),
  usTaxability('OK', false, 'Oklahoma Tax Commission: SaaS not taxable', SAAS_EXEMPT('OK')),
  usTaxability(
    'VA',
    false,
    'Virginia Tax: SaaS not taxable (Code of Virginia § 58.1-609.5)',
    SAAS_EXEMPT('VA'),
  ),
  usTaxability(
    'WI',
    false,
    'Wisconsin DOR: remotely accessed software not taxable',
    SAAS_EXEMPT('WI'),
  ),
  usTaxability(
    'AK',
    false,
    'No state sales tax (local taxes exist, not covered)',
    NO_SALES_TAX('AK'),
  ),
  usTaxability('DE', false, 'No state sales tax', NO_SALES_TAX('DE')),
  usTaxability('MT', false, 'No state sales tax', NO_SALES_TAX('MT')),
  usTaxability('NH', false, 'No state sales tax', NO_SALES_TAX('NH')),
  usTaxability('OR', false, 'No state sales tax', NO_SALES_TAX('OR')),
];
