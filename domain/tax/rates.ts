// The built-in, dated rates table. A change of law is a new entry with its `effectiveFrom` and
// an `effectiveTo` on the entry it replaces, never an edit of a past rate: an invoice for a
// supply before the change keeps the old rate (see docs/TAX.md, "Changing a rate").
//
// Coverage starts on COVERAGE_START: an entry from that date means "in force at least since
// then" (earlier history is not recorded, and a supply before it has no rate: an error, not a
// guess). Entries with another effectiveFrom are real changes of law. Reviewed 2026-11-23.
import type { TaxCategory, TaxName, TaxRate, TaxRateTable, UsTaxability } from './types.ts';

export const COVERAGE_START = '2024-01-01';

type Category = Exclude<TaxCategory, 'exempt'>;

function entry(
  jurisdiction: string,
  taxName: TaxName,
  category: Category,
  rate: string,
  source: string,
  effectiveFrom: string = COVERAGE_START,
  effectiveTo?: string,
): TaxRate {
  return {
    jurisdiction,
    taxName,
    category,
    rate,
    effectiveFrom,
    ...(effectiveTo ? { effectiveTo } : {}),
    source,
  };
}

const EC =
  'European Commission, "VAT rates applied in the Member States of the European Union" ' +
  '(taxation-customs.ec.europa.eu), situations at 1 January 2024, 2025 and 2026';

// ——— European Union: standard rates (category 'standard'), all 27 member states ———
const EU_STANDARD: TaxRate[] = [
  entry('AT', 'VAT', 'standard', '20', EC),
  entry('BE', 'VAT', 'standard', '21', EC),
  entry('BG', 'VAT', 'standard', '20', EC),
  entry('CY', 'VAT', 'standard', '19', EC),
  entry('CZ', 'VAT', 'standard', '21', EC),
  entry('DE', 'VAT', 'standard', '19', EC),
  entry('DK', 'VAT', 'standard', '25', EC),
  entry(
    'EE',
    'VAT',
    'standard',
    '22',
    'Estonian Tax and Customs Board (emta.ee): Value Added Tax Act § 15(1), 22 % from 1 January 2024',
    '2024-01-01',
    '2025-07-01',
  ),
  entry(
    'EE',
    'VAT',
    'standard',
    '24',
    'Estonian Tax and Customs Board (emta.ee): Value Added Tax Act § 15(1), 24 % from 1 July 2025',
    '2025-07-01',
  ),
  entry('ES', 'VAT', 'standard', '21', EC),
  entry(
    'FI',
    'VAT',
    'standard',
    '24',
    'Finnish Tax Administration (vero.fi): general rate 24 % until 31 August 2024',
    COVERAGE_START,
    '2024-09-01',
  ),
  entry(
    'FI',
    'VAT',
    'standard',
    '25.5',
    'Finnish Tax Administration (vero.fi): general rate 25.5 % from 1 September 2024',
    '2024-09-01',
  ),
  entry('FR', 'VAT', 'standard', '20', EC),
  entry('GR', 'VAT', 'standard', '24', EC),
  entry('HR', 'VAT', 'standard', '25', EC),
  entry('HU', 'VAT', 'standard', '27', EC),
  entry('IE', 'VAT', 'standard', '23', EC),
  entry('IT', 'VAT', 'standard', '22', EC),
  entry('LT', 'VAT', 'standard', '21', EC),
  entry('LU', 'VAT', 'standard', '17', EC),
  entry('LV', 'VAT', 'standard', '21', EC),
  entry('MT', 'VAT', 'standard', '18', EC),
  entry('NL', 'VAT', 'standard', '21', EC),
  entry('PL', 'VAT', 'standard', '23', EC),
  entry('PT', 'VAT', 'standard', '23', `${EC} (mainland; Azores and Madeira not covered)`),
  entry(
    'RO',
    'VAT',
    'standard',
    '19',
    'Romanian Fiscal Code (Law 227/2015) art. 291: 19 % until 31 July 2025',
    COVERAGE_START,
    '2025-08-01',
  ),
  entry(
    'RO',
    'VAT',
    'standard',
    '21',
    'Law 141/2025 amending the Fiscal Code (Official Gazette 699 of 25 July 2025): 21 % from 1 August 2025',
    '2025-08-01',
  ),
  entry('SE', 'VAT', 'standard', '25', EC),
  entry('SI', 'VAT', 'standard', '22', EC),
  entry(
    'SK',
    'VAT',
    'standard',
    '20',
    'Slovak VAT Act No. 222/2004 Coll. § 27: 20 % until 31 December 2024',
    COVERAGE_START,
    '2025-01-01',
  ),
  entry(
    'SK',
    'VAT',
    'standard',
    '23',
    'Slovak VAT Act No. 222/2004 Coll. § 27 as amended in October 2024: 23 % from 1 January 2025',
    '2025-01-01',
  ),
];

// ——— European Union: electronically supplied books (category 'ebook') ———
// Only states whose e-book rate we could confirm for the whole coverage period. Others (BG, CY,
// CZ, HU, IE, LT, LV, RO, SI, SK) have no entry: an e-book sold there is an error, not a guess.
const EBOOK = (state: string) =>
  `${EC}; reduced rate for electronically supplied books (Directive (EU) 2018/1713, ${state})`;
const EU_EBOOK: TaxRate[] = [
  entry('AT', 'VAT', 'ebook', '10', EBOOK('UStG § 10(2)')),
  entry('BE', 'VAT', 'ebook', '6', EBOOK('Table A of Royal Decree No. 20')),
  entry('DE', 'VAT', 'ebook', '7', EBOOK('UStG § 12(2) No. 14')),
  entry('DK', 'VAT', 'ebook', '25', `${EC}; Denmark applies no reduced rate (standard 25 %)`),
  entry('EE', 'VAT', 'ebook', '9', EBOOK('Value Added Tax Act § 15(2)')),
  entry('ES', 'VAT', 'ebook', '4', EBOOK('Ley 37/1992 art. 91.Dos.1.2º')),
  entry(
    'FI',
    'VAT',
    'ebook',
    '10',
    EBOOK('10 % until 31 December 2024'),
    COVERAGE_START,
    '2025-01-01',
  ),
  entry(
    'FI',
    'VAT',
    'ebook',
    '14',
    EBOOK('books moved from 10 % to 14 % on 1 January 2025'),
    '2025-01-01',
    '2026-01-01',
  ),
  entry(
    'FI',
    'VAT',
    'ebook',
    '13.5',
    EBOOK('the 14 % rate lowered to 13.5 % on 1 January 2026, 2026 State budget'),
    '2026-01-01',
  ),
  entry('FR', 'VAT', 'ebook', '5.5', EBOOK('CGI art. 278-0 bis')),
  entry('GR', 'VAT', 'ebook', '6', EBOOK('Greece')),
  entry('HR', 'VAT', 'ebook', '5', EBOOK('Croatia')),
  entry('IT', 'VAT', 'ebook', '4', EBOOK('DPR 633/1972, Table A, Part II, item 18')),
  entry('LU', 'VAT', 'ebook', '3', EBOOK('Luxembourg, super-reduced rate')),
  entry('MT', 'VAT', 'ebook', '5', EBOOK('Malta')),
  entry(
    'NL',
    'VAT',
    'ebook',
    '9',
    EBOOK('Wet OB 1968, Table I; the planned 2026 rise was withdrawn'),
  ),
  entry('PL', 'VAT', 'ebook', '5', EBOOK('Poland')),
  entry('PT', 'VAT', 'ebook', '6', EBOOK('CIVA List I')),
  entry('SE', 'VAT', 'ebook', '6', EBOOK('Mervärdesskattelag 2023:200, 9 kap.')),
];

const HMRC =
  'HMRC, "VAT rates on different goods and services" (gov.uk/guidance/rates-of-vat-on-different-goods-and-services)';

const UNITED_KINGDOM: TaxRate[] = [
  entry('GB', 'VAT', 'standard', '20', `${HMRC}; VAT Act 1994 s. 2`),
  entry(
    'GB',
    'VAT',
    'ebook',
    '0',
    `${HMRC}; e-publications zero-rated since 1 May 2020 (Notice 701/10)`,
  ),
];

const CRA =
  'Canada Revenue Agency, "GST/HST rates" (canada.ca/en/revenue-agency/services/tax/businesses/topics/gst-hst-businesses/charge-collect-which-rate.html)';

const CANADA: TaxRate[] = [
  entry('CA', 'GST', 'standard', '5', `${CRA}; Excise Tax Act s. 165(1)`),
  entry('CA-ON', 'HST', 'standard', '13', CRA),
  entry('CA-NB', 'HST', 'standard', '15', CRA),
  entry('CA-NL', 'HST', 'standard', '15', CRA),
  entry('CA-PE', 'HST', 'standard', '15', CRA),
  entry(
    'CA-NS',
    'HST',
    'standard',
    '15',
    `${CRA}: 15 % until 31 March 2025`,
    COVERAGE_START,
    '2025-04-01',
  ),
  entry(
    'CA-NS',
    'HST',
    'standard',
    '14',
    `${CRA}; CRA notice "Nova Scotia HST rate decrease": provincial part 10 % → 9 % on 1 April 2025`,
    '2025-04-01',
  ),
  entry(
    'CA-BC',
    'PST',
    'standard',
    '7',
    'British Columbia Provincial Sales Tax Act; PST on software, including software accessed online (gov.bc.ca)',
  ),
  entry(
    'CA-MB',
    'PST',
    'standard',
    '7',
    'Manitoba Retail Sales Tax Act (RST 7 %); computer software and subscriptions (gov.mb.ca/finance/taxation)',
  ),
  entry(
    'CA-SK',
    'PST',
    'standard',
    '6',
    'Saskatchewan Provincial Sales Tax Act (PST 6 %); computer software and services (saskatchewan.ca)',
  ),
  entry(
    'CA-QC',
    'QST',
    'standard',
    '9.975',
    'Revenu Québec, QST 9.975 % (Act respecting the Québec sales tax, s. 16)',
  ),
];

const OCEANIA: TaxRate[] = [
  entry(
    'AU',
    'GST',
    'standard',
    '10',
    'A New Tax System (Goods and Services Tax) Act 1999 s. 9-70; ATO, GST on imported services and digital products',
  ),
  entry('AU', 'GST', 'ebook', '10', 'A New Tax System (Goods and Services Tax) Act 1999 s. 9-70'),
  entry(
    'NZ',
    'GST',
    'standard',
    '15',
    'Goods and Services Tax Act 1985 s. 8(1) (15 % since 1 October 2010); IRD, GST on remote services',
  ),
  entry('NZ', 'GST', 'ebook', '15', 'Goods and Services Tax Act 1985 s. 8(1)'),
];

const CBIC =
  'CBIC: Notification 11/2017-Central Tax (Rate) and 8/2017-Integrated Tax (Rate), heading 9984 ' +
  '(online information and database access or retrieval, OIDAR, and other IT services): 18 %, ' +
  'unchanged by the September 2025 rate rationalisation';

const INDIA: TaxRate[] = [
  entry('IN', 'IGST', 'standard', '18', CBIC),
  entry('IN', 'CGST', 'standard', '9', CBIC),
  entry('IN', 'SGST', 'standard', '9', CBIC),
  entry('IN', 'UTGST', 'standard', '9', `${CBIC}; UTGST Act 2017`),
];

// ——— United States: state base rates only, where SaaS is taxable at state level ———
const US: TaxRate[] = [
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
const US_TAXABILITY: UsTaxability[] = [
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

export const BUILT_IN_RATES: TaxRateTable = {
  rates: [...EU_STANDARD, ...EU_EBOOK, ...UNITED_KINGDOM, ...CANADA, ...OCEANIA, ...INDIA, ...US],
  usTaxability: US_TAXABILITY,
};

function inForce(item: { effectiveFrom: string; effectiveTo?: string }, date: string): boolean {
  return item.effectiveFrom <= date && (item.effectiveTo === undefined || date < item.effectiveTo);
}

/** The rate in force on `date` (YYYY-MM-DD), or undefined. Throws if the table overlaps. */
export function findRate(
  table: TaxRateTable,
  jurisdiction: string,
  taxName: TaxName,
  category: Category,
  date: string,
): TaxRate | undefined {
  const found = table.rates.filter(
    (r) =>
      r.jurisdiction === jurisdiction &&
      r.taxName === taxName &&
      r.category === category &&
      inForce(r, date),
  );
  if (found.length > 1) {
    throw new RangeError(`rates table overlaps: ${jurisdiction} ${taxName} ${category} on ${date}`);
  }
  return found[0];
}

/** Whether a US state taxes the category on `date`; undefined when the table does not say. */
export function findUsTaxability(
  table: TaxRateTable,
  state: string,
  category: Category,
  date: string,
): UsTaxability | undefined {
  const found = table.usTaxability.filter(
    (t) => t.state === state && t.category === category && inForce(t, date),
  );
  if (found.length > 1) throw new RangeError(`US taxability overlaps: ${state} on ${date}`);
  return found[0];
}
