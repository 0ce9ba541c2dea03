// The built-in tax provider on worked examples: every figure below is computed by hand in the
// comment beside it (amounts in minor units: 10000 = €100.00).
import { describe, expect, it } from 'vitest';
import type { TaxBehavior } from '../../domain/catalog/types.ts';
import type { RoundingMode } from '../../domain/core/decimal.ts';
import { createBuiltInTaxProvider } from '../../domain/tax/built-in.ts';
import { taxNoteText } from '../../documents/tax-mentions.ts';
import { checkTaxResult, sameTaxQuestion, toTaxLines } from '../../domain/tax/provider.ts';
import type {
  RoundingLevel,
  TaxCategory,
  TaxCustomer,
  TaxRequest,
  TaxResult,
  TaxSeller,
  TaxTreatment,
} from '../../domain/tax/types.ts';
import { TaxRequestError } from '../../domain/tax/validation.ts';

const provider = createBuiltInTaxProvider();

// ——— sellers ———
const DE_OSS: TaxSeller = {
  country: 'DE',
  registrations: { eu: { vatNumber: 'DE123456789', oss: true } },
};
const DE_NO_OSS: TaxSeller = {
  country: 'DE',
  registrations: { eu: { vatNumber: 'DE123456789', oss: false } },
};
const GB_SELLER: TaxSeller = { country: 'GB', registrations: { gb: { vatNumber: 'GB123456789' } } };
const CA_SELLER: TaxSeller = {
  country: 'CA',
  region: 'ON',
  registrations: {
    ca: {
      gstHstNumber: '123456789RT0001',
      qstNumber: '1234567890TQ0001',
      pstProvinces: ['BC', 'MB', 'SK'],
    },
  },
};
const CA_GST_ONLY: TaxSeller = {
  country: 'CA',
  region: 'AB',
  registrations: { ca: { gstHstNumber: '123456789RT0001' } },
};
const AU_SELLER: TaxSeller = { country: 'AU', registrations: { au: { gstNumber: '51824753556' } } };
const US_SELLER: TaxSeller = {
  country: 'US',
  region: 'CA',
  registrations: {
    us: { nexusStates: ['NY', 'WA', 'CA', 'TX'] },
    nz: { gstNumber: '123456789' },
    in: { gstin: '9917USA29001OSV' },
  },
};
const IN_SELLER_KA: TaxSeller = {
  country: 'IN',
  region: 'KA',
  registrations: { in: { gstin: '29ABCDE1234F1Z5', state: 'KA' } },
};
const IN_SELLER_CH: TaxSeller = {
  country: 'IN',
  region: 'CH',
  registrations: { in: { gstin: '04ABCDE1234F1Z5', state: 'CH' } },
};

// ——— customers ———
const person = (country: string, region?: string): TaxCustomer => ({
  address: region ? { country, region } : { country },
  customerType: 'individual',
});
const business = (country: string, vatNumber?: string, region?: string): TaxCustomer => ({
  address: region ? { country, region } : { country },
  customerType: 'business',
  ...(vatNumber ? { vatNumber } : {}),
});

interface Case {
  name: string;
  seller: TaxSeller;
  customer: TaxCustomer;
  /** Amounts (minor units) of lines l1, l2, …, each with its category (standard by default). */
  lines: (number | [number, TaxCategory])[];
  currency?: string;
  date?: string;
  basis?: TaxBehavior;
  level?: RoundingLevel;
  mode?: RoundingMode;
  treatments: TaxTreatment[];
  /** "l1 FR VAT 20% 2000": line, jurisdiction, tax, rate, tax amount. */
  components: string[];
  /** [net, tax, gross] of the invoice. */
  totals: [number, number, number];
  note?: string;
}

function request(c: Case): TaxRequest {
  const currency = c.currency ?? 'EUR';
  return {
    seller: c.seller,
    customer: c.customer,
    currency,
    lines: c.lines.map((l, i) => {
      const [amount, category] = typeof l === 'number' ? [l, 'standard' as const] : l;
      return { lineId: `l${i + 1}`, amount: { amount, currency }, category };
    }),
    supplyDate: c.date ?? '2026-03-15',
    taxBehavior: c.basis ?? 'exclusive',
    rounding: { level: c.level ?? 'per_line', mode: c.mode ?? 'half_up' },
  };
}

const componentsOf = (result: TaxResult) =>
  result.lines.flatMap((l) =>
    l.components.map(
      (c) => `${l.lineId} ${c.jurisdiction} ${c.taxName} ${c.rate}% ${c.taxAmount.amount}`,
    ),
  );

const CASES: Case[] = [
  // ——— European Union ———
  {
    // Domestic B2C: 10000 × 19 % = 1900.
    name: 'DE seller, DE consumer: German VAT 19 %',
    seller: DE_OSS,
    customer: person('DE'),
    lines: [10000],
    treatments: ['taxable'],
    components: ['l1 DE VAT 19% 1900'],
    totals: [10000, 1900, 11900],
  },
  {
    // Domestic B2B is taxed normally, VAT number or not: 10000 × 19 % = 1900.
    name: 'DE seller, DE business with VAT number: no reverse charge at home',
    seller: DE_OSS,
    customer: business('DE', 'DE987654321'),
    lines: [10000],
    treatments: ['taxable'],
    components: ['l1 DE VAT 19% 1900'],
    totals: [10000, 1900, 11900],
  },
  {
    // OSS: the consumer's country rate. 10000 × 20 % = 2000.
    name: 'DE seller (OSS), FR consumer: French VAT 20 %',
    seller: DE_OSS,
    customer: person('FR'),
    lines: [10000],
    treatments: ['taxable'],
    components: ['l1 FR VAT 20% 2000'],
    totals: [10000, 2000, 12000],
  },
  {
    // Under the €10,000 threshold, no OSS: the seller's own VAT. 10000 × 19 % = 1900.
    name: 'DE seller without OSS, FR consumer: German VAT (Art. 59c)',
    seller: DE_NO_OSS,
    customer: person('FR'),
    lines: [10000],
    treatments: ['taxable'],
    components: ['l1 DE VAT 19% 1900'],
    totals: [10000, 1900, 11900],
  },
  {
    // Cross-border B2B with a VAT number: 0, the customer self-accounts.
    name: 'DE seller, FR business with VAT number: reverse charge',
    seller: DE_OSS,
    customer: business('FR', 'FR40303265045'),
    lines: [10000],
    treatments: ['reverse_charge'],
    components: [],
    totals: [10000, 0, 10000],
    note: 'Reverse charge: VAT to be accounted for by the recipient (Art. 196 Council Directive 2006/112/EC)',
  },
  {
    // A business without a VAT number is treated as a consumer: 10000 × 20 % = 2000.
    name: 'DE seller, FR business without VAT number: taxed as B2C',
    seller: DE_OSS,
    customer: business('FR'),
    lines: [10000],
    treatments: ['taxable'],
    components: ['l1 FR VAT 20% 2000'],
    totals: [10000, 2000, 12000],
  },
  {
    // Outside the EU: no EU VAT; a 0-decimal currency stays whole yen: 1000 + 0 = 1000.
    name: 'DE seller, Japanese consumer in JPY: outside the scope',
    seller: DE_OSS,
    customer: person('JP'),
    lines: [1000],
    currency: 'JPY',
    treatments: ['outside_scope'],
    components: [],
    totals: [1000, 0, 1000],
    note: 'Outside the scope of EU VAT: the place of supply (JP) is outside the EU',
  },
  {
    // 999 × 23 % = 229.77 → 230.
    name: 'IE consumer: 23 %, rounded half up',
    seller: DE_OSS,
    customer: person('IE'),
    lines: [999],
    treatments: ['taxable'],
    components: ['l1 IE VAT 23% 230'],
    totals: [999, 230, 1229],
  },
  {
    // Greece is GR in addresses, EL only in VAT numbers: 1234 × 24 % = 296.16 → 296.
    name: 'GR consumer: 24 %',
    seller: DE_OSS,
    customer: person('GR'),
    lines: [1234],
    treatments: ['taxable'],
    components: ['l1 GR VAT 24% 296'],
    totals: [1234, 296, 1530],
  },
  {
    // The day before the change: 10000 × 22 % = 2200.
    name: 'EE on 2025-06-30: 22 %',
    seller: DE_OSS,
    customer: person('EE'),
    lines: [10000],
    date: '2025-06-30',
    treatments: ['taxable'],
    components: ['l1 EE VAT 22% 2200'],
    totals: [10000, 2200, 12200],
  },
  {
    // On the change date: 10000 × 24 % = 2400.
    name: 'EE on 2025-07-01: 24 %',
    seller: DE_OSS,
    customer: person('EE'),
    lines: [10000],
    date: '2025-07-01',
    treatments: ['taxable'],
    components: ['l1 EE VAT 24% 2400'],
    totals: [10000, 2400, 12400],
  },
  {
    // 2024-08-31: 24 %. 10000 × 24 % = 2400.
    name: 'FI on 2024-08-31: 24 %',
    seller: DE_OSS,
    customer: person('FI'),
    lines: [10000],
    date: '2024-08-31',
    treatments: ['taxable'],
    components: ['l1 FI VAT 24% 2400'],
    totals: [10000, 2400, 12400],
  },
  {
    // 2024-09-01: 25.5 %. 10000 × 25.5 % = 2550.
    name: 'FI on 2024-09-01: 25.5 %',
    seller: DE_OSS,
    customer: person('FI'),
    lines: [10000],
    date: '2024-09-01',
    treatments: ['taxable'],
    components: ['l1 FI VAT 25.5% 2550'],
    totals: [10000, 2550, 12550],
  },
  {
    // 2024-12-31: 20 %. 4999 × 20 % = 999.8 → 1000.
    name: 'SK on 2024-12-31: 20 %',
    seller: DE_OSS,
    customer: person('SK'),
    lines: [4999],
    date: '2024-12-31',
    treatments: ['taxable'],
    components: ['l1 SK VAT 20% 1000'],
    totals: [4999, 1000, 5999],
  },
  {
    // 2025-01-01: 23 %. 4999 × 23 % = 1149.77 → 1150.
    name: 'SK on 2025-01-01: 23 %',
    seller: DE_OSS,
    customer: person('SK'),
    lines: [4999],
    date: '2025-01-01',
    treatments: ['taxable'],
    components: ['l1 SK VAT 23% 1150'],
    totals: [4999, 1150, 6149],
  },
  {
    // 00:30 in Bucharest on 1 August is 21:30 UTC on 31 July; the date as written counts:
    // 21 %. 10000 × 21 % = 2100.
    name: 'RO at 2025-08-01T00:30+03:00: the local date takes the new 21 %',
    seller: DE_OSS,
    customer: person('RO'),
    lines: [10000],
    date: '2025-08-01T00:30:00+03:00',
    treatments: ['taxable'],
    components: ['l1 RO VAT 21% 2100'],
    totals: [10000, 2100, 12100],
  },
  {
    // The same instant written in UTC is still 31 July: 19 %. 10000 × 19 % = 1900.
    name: 'RO at 2025-07-31T21:30Z: 19 %',
    seller: DE_OSS,
    customer: person('RO'),
    lines: [10000],
    date: '2025-07-31T21:30:00Z',
    treatments: ['taxable'],
    components: ['l1 RO VAT 19% 1900'],
    totals: [10000, 1900, 11900],
  },
  {
    // E-book and SaaS on one invoice: 1999 × 7 % = 139.93 → 140; 1000 × 19 % = 190.
    name: 'DE e-book at 7 % beside SaaS at 19 %',
    seller: DE_OSS,
    customer: person('DE'),
    lines: [[1999, 'ebook'], 1000],
    treatments: ['taxable', 'taxable'],
    components: ['l1 DE VAT 7% 140', 'l2 DE VAT 19% 190'],
    totals: [2999, 330, 3329],
  },
  {
    // 1000 × 5.5 % = 55.
    name: 'FR e-book at 5.5 %',
    seller: DE_OSS,
    customer: person('FR'),
    lines: [[1000, 'ebook']],
    treatments: ['taxable'],
    components: ['l1 FR VAT 5.5% 55'],
    totals: [1000, 55, 1055],
  },
  {
    // Exempt supply: 0 whatever the country.
    name: 'exempt product line',
    seller: DE_OSS,
    customer: person('DE'),
    lines: [[5000, 'exempt']],
    treatments: ['exempt_product'],
    components: [],
    totals: [5000, 0, 5000],
    note: 'Exempt supply: no tax charged',
  },

  // ——— tax-inclusive prices ———
  {
    // 11900 × 19/119 = 1900 exactly; net = 11900 − 1900 = 10000.
    name: 'inclusive DE 119.00: 100.00 + 19.00',
    seller: DE_OSS,
    customer: person('DE'),
    lines: [11900],
    basis: 'inclusive',
    treatments: ['taxable'],
    components: ['l1 DE VAT 19% 1900'],
    totals: [10000, 1900, 11900],
  },
  {
    // 999 × 19/119 = 159.504… → 160; net = 999 − 160 = 839.
    name: 'inclusive DE 9.99: 8.39 + 1.60',
    seller: DE_OSS,
    customer: person('DE'),
    lines: [999],
    basis: 'inclusive',
    treatments: ['taxable'],
    components: ['l1 DE VAT 19% 160'],
    totals: [839, 160, 999],
  },
  {
    // 1000 × 20/120 = 166.666… → 167; net = 833.
    name: 'inclusive FR 10.00: 8.33 + 1.67',
    seller: DE_OSS,
    customer: person('FR'),
    lines: [1000],
    basis: 'inclusive',
    treatments: ['taxable'],
    components: ['l1 FR VAT 20% 167'],
    totals: [833, 167, 1000],
  },
  {
    // A reverse-charged customer pays the listed price, all of it net: 11900 + 0.
    name: 'inclusive price, reverse charge: the whole price is net',
    seller: DE_OSS,
    customer: business('NL', 'NL123456789B01'),
    lines: [11900],
    basis: 'inclusive',
    treatments: ['reverse_charge'],
    components: [],
    totals: [11900, 0, 11900],
  },

  // ——— rounding per line vs per rate ———
  {
    // Each 1002 × 19 % = 190.38 → 190; two lines: 380.
    name: 'per line: 190 + 190 = 380',
    seller: DE_OSS,
    customer: person('DE'),
    lines: [1002, 1002],
    level: 'per_line',
    treatments: ['taxable', 'taxable'],
    components: ['l1 DE VAT 19% 190', 'l2 DE VAT 19% 190'],
    totals: [2004, 380, 2384],
  },
  {
    // 2004 × 19 % = 380.76 → 381 once; allocated 190.38 | 190.38: floors 190 + 190, the cent
    // left goes to the largest remainder, a tie, so to the first line: 191 + 190.
    name: 'per rate: 381, one cent more than per line',
    seller: DE_OSS,
    customer: person('DE'),
    lines: [1002, 1002],
    level: 'per_rate',
    treatments: ['taxable', 'taxable'],
    components: ['l1 DE VAT 19% 191', 'l2 DE VAT 19% 190'],
    totals: [2004, 381, 2385],
  },
  {
    // 1005 × 10 % = 100.5 → 101 half up.
    name: 'AU GST half up: 100.5 → 101',
    seller: AU_SELLER,
    customer: person('AU'),
    lines: [1005],
    currency: 'AUD',
    mode: 'half_up',
    treatments: ['taxable'],
    components: ['l1 AU GST 10% 101'],
    totals: [1005, 101, 1106],
  },
  {
    // 1005 × 10 % = 100.5 → 100 half even (100 is even).
    name: 'AU GST half even: 100.5 → 100',
    seller: AU_SELLER,
    customer: person('AU'),
    lines: [1005],
    currency: 'AUD',
    mode: 'half_even',
    treatments: ['taxable'],
    components: ['l1 AU GST 10% 100'],
    totals: [1005, 100, 1105],
  },

  // ——— United Kingdom ———
  {
    // 4900 × 20 % = 980.
    name: 'GB seller, GB consumer: 20 %',
    seller: GB_SELLER,
    customer: person('GB'),
    lines: [4900],
    currency: 'GBP',
    treatments: ['taxable'],
    components: ['l1 GB VAT 20% 980'],
    totals: [4900, 980, 5880],
  },
  {
    // E-publications are zero-rated: 1000 × 0 % = 0, still a taxable supply.
    name: 'GB e-book: zero-rated',
    seller: GB_SELLER,
    customer: person('GB'),
    lines: [[1000, 'ebook']],
    currency: 'GBP',
    treatments: ['taxable'],
    components: ['l1 GB VAT 0% 0'],
    totals: [1000, 0, 1000],
  },
  {
    // A UK seller's EU business customer self-accounts (Art. 196).
    name: 'GB seller, DE business with VAT number: EU reverse charge',
    seller: GB_SELLER,
    customer: business('DE', 'DE987654321'),
    lines: [4900],
    treatments: ['reverse_charge'],
    components: [],
    totals: [4900, 0, 4900],
    note: 'Art. 196',
  },
  {
    name: 'DE seller, GB business with VAT number: UK reverse charge',
    seller: DE_OSS,
    customer: business('GB', 'GB987654321'),
    lines: [4900],
    treatments: ['reverse_charge'],
    components: [],
    totals: [4900, 0, 4900],
    note: 'section 8, Value Added Tax Act 1994',
  },
  {
    name: 'DE seller not registered in the UK, GB consumer: not collected',
    seller: DE_OSS,
    customer: person('GB'),
    lines: [4900],
    treatments: ['not_registered'],
    components: [],
    totals: [4900, 0, 4900],
    note: 'No VAT charged: the seller is not registered for VAT in GB',
  },

  // ——— Canada ———
  {
    // HST 13 %: 10000 × 13 % = 1300.
    name: 'CA: Ontario HST 13 %',
    seller: CA_SELLER,
    customer: person('CA', 'ON'),
    lines: [10000],
    currency: 'CAD',
    treatments: ['taxable'],
    components: ['l1 CA-ON HST 13% 1300'],
    totals: [10000, 1300, 11300],
  },
  {
    // HST 15 % before April 2025: 10000 × 15 % = 1500.
    name: 'CA: Nova Scotia HST on 2025-03-31, 15 %',
    seller: CA_SELLER,
    customer: person('CA', 'NS'),
    lines: [10000],
    currency: 'CAD',
    date: '2025-03-31',
    treatments: ['taxable'],
    components: ['l1 CA-NS HST 15% 1500'],
    totals: [10000, 1500, 11500],
  },
  {
    // HST 14 % from 1 April 2025: 10000 × 14 % = 1400.
    name: 'CA: Nova Scotia HST on 2025-04-01, 14 %',
    seller: CA_SELLER,
    customer: person('CA', 'NS'),
    lines: [10000],
    currency: 'CAD',
    date: '2025-04-01',
    treatments: ['taxable'],
    components: ['l1 CA-NS HST 14% 1400'],
    totals: [10000, 1400, 11400],
  },
  {
    // GST 5 % + PST 7 %, each on the net: 500 + 700 = 1200.
    name: 'CA: British Columbia GST 5 % + PST 7 %',
    seller: CA_SELLER,
    customer: person('CA', 'BC'),
    lines: [10000],
    currency: 'CAD',
    treatments: ['taxable'],
    components: ['l1 CA GST 5% 500', 'l1 CA-BC PST 7% 700'],
    totals: [10000, 1200, 11200],
  },
  {
    // GST 9999 × 5 % = 499.95 → 500; QST 9999 × 9.975 % = 997.40025 → 997; 1497.
    name: 'CA: Quebec GST 5 % + QST 9.975 %',
    seller: CA_SELLER,
    customer: person('CA', 'QC'),
    lines: [9999],
    currency: 'CAD',
    treatments: ['taxable'],
    components: ['l1 CA GST 5% 500', 'l1 CA-QC QST 9.975% 997'],
    totals: [9999, 1497, 11496],
  },
  {
    // Inclusive 1000 at 14.975 %: net base 1000 × 100/114.975 = 869.754…;
    // GST 869.754 × 5 % = 43.488 → 43; QST 869.754 × 9.975 % = 86.758 → 87;
    // tax 130, net 1000 − 130 = 870.
    name: 'CA: Quebec, tax-inclusive 10.00',
    seller: CA_SELLER,
    customer: person('CA', 'QC'),
    lines: [1000],
    currency: 'CAD',
    basis: 'inclusive',
    treatments: ['taxable'],
    components: ['l1 CA GST 5% 43', 'l1 CA-QC QST 9.975% 87'],
    totals: [870, 130, 1000],
  },
  {
    // Alberta: GST only. 2000 × 5 % = 100.
    name: 'CA: Alberta GST 5 % only',
    seller: CA_SELLER,
    customer: person('CA', 'AB'),
    lines: [2000],
    currency: 'CAD',
    treatments: ['taxable'],
    components: ['l1 CA GST 5% 100'],
    totals: [2000, 100, 2100],
  },
  {
    // Not registered for QST: GST only, 2000 × 5 % = 100, and a note.
    name: 'CA: Quebec, seller registered for GST only',
    seller: CA_GST_ONLY,
    customer: person('CA', 'QC'),
    lines: [2000],
    currency: 'CAD',
    treatments: ['taxable'],
    components: ['l1 CA GST 5% 100'],
    totals: [2000, 100, 2100],
    note: 'No QST charged: the seller is not registered for QST in QC',
  },

  // ——— Australia, New Zealand ———
  {
    // 1999 × 10 % = 199.9 → 200.
    name: 'AU consumer: GST 10 %',
    seller: AU_SELLER,
    customer: person('AU'),
    lines: [1999],
    currency: 'AUD',
    treatments: ['taxable'],
    components: ['l1 AU GST 10% 200'],
    totals: [1999, 200, 2199],
  },
  {
    // Offshore seller registered for NZ GST: 2000 × 15 % = 300.
    name: 'NZ consumer of a US seller: GST 15 %',
    seller: US_SELLER,
    customer: person('NZ'),
    lines: [2000],
    currency: 'NZD',
    treatments: ['taxable'],
    components: ['l1 NZ GST 15% 300'],
    totals: [2000, 300, 2300],
  },
  {
    name: 'NZ GST-registered business of a US seller: reverse charge',
    seller: US_SELLER,
    customer: business('NZ', '123456789'),
    lines: [2000],
    currency: 'NZD',
    treatments: ['reverse_charge'],
    components: [],
    totals: [2000, 0, 2000],
    note: 'New Zealand GST-registered business',
  },

  // ——— India ———
  {
    // Intra-state (KA → KA): CGST 9 % + SGST 9 %: 900 + 900.
    name: 'IN: Karnataka seller, Karnataka customer: CGST + SGST',
    seller: IN_SELLER_KA,
    customer: person('IN', 'KA'),
    lines: [10000],
    currency: 'INR',
    treatments: ['taxable'],
    components: ['l1 IN CGST 9% 900', 'l1 IN-KA SGST 9% 900'],
    totals: [10000, 1800, 11800],
  },
  {
    // Inter-state (KA → MH): IGST 18 %: 1800.
    name: 'IN: Karnataka seller, Maharashtra customer: IGST',
    seller: IN_SELLER_KA,
    customer: business('IN', '27ABCDE1234F1Z5', 'MH'),
    lines: [10000],
    currency: 'INR',
    treatments: ['taxable'],
    components: ['l1 IN IGST 18% 1800'],
    totals: [10000, 1800, 11800],
  },
  {
    // Chandigarh has no legislature: UTGST instead of SGST. 5555 × 9 % = 499.95 → 500 each.
    name: 'IN: Chandigarh seller and customer: CGST + UTGST',
    seller: IN_SELLER_CH,
    customer: person('IN', 'CH'),
    lines: [5555],
    currency: 'INR',
    treatments: ['taxable'],
    components: ['l1 IN CGST 9% 500', 'l1 IN-CH UTGST 9% 500'],
    totals: [5555, 1000, 6555],
  },
  {
    // OIDAR: a seller outside India charges IGST: 10000 × 18 % = 1800.
    name: 'IN consumer of a US seller (OIDAR): IGST',
    seller: US_SELLER,
    customer: person('IN', 'DL'),
    lines: [10000],
    currency: 'INR',
    treatments: ['taxable'],
    components: ['l1 IN IGST 18% 1800'],
    totals: [10000, 1800, 11800],
  },

  // ——— United States ———
  {
    // Nexus in NY, SaaS taxable: state rate only, 10000 × 4 % = 400.
    name: 'US: New York with nexus, state rate 4 %',
    seller: US_SELLER,
    customer: business('US', undefined, 'NY'),
    lines: [10000],
    currency: 'USD',
    treatments: ['taxable'],
    components: ['l1 US-NY Sales tax 4% 400'],
    totals: [10000, 400, 10400],
  },
  {
    // 1999 × 6.5 % = 129.935 → 130.
    name: 'US: Washington with nexus, 6.5 %',
    seller: US_SELLER,
    customer: person('US', 'WA'),
    lines: [1999],
    currency: 'USD',
    treatments: ['taxable'],
    components: ['l1 US-WA Sales tax 6.5% 130'],
    totals: [1999, 130, 2129],
  },
  {
    name: 'US: Pennsylvania without nexus: no tax, with a note',
    seller: US_SELLER,
    customer: person('US', 'PA'),
    lines: [10000],
    currency: 'USD',
    treatments: ['no_nexus'],
    components: [],
    totals: [10000, 0, 10000],
    note: 'Not subject to sales tax: no nexus in PA',
  },
  {
    name: 'US: California, nexus but SaaS not taxable',
    seller: US_SELLER,
    customer: person('US', 'CA'),
    lines: [10000],
    currency: 'USD',
    treatments: ['not_taxable'],
    components: [],
    totals: [10000, 0, 10000],
    note: 'SaaS is not taxable at state level in CA',
  },
  {
    name: 'US: Oregon has no sales tax',
    seller: US_SELLER,
    customer: person('US', 'OR'),
    lines: [10000],
    currency: 'USD',
    treatments: ['not_taxable'],
    components: [],
    totals: [10000, 0, 10000],
    note: 'OR levies no state sales tax',
  },
  {
    name: 'US: exempt customer in New York',
    seller: US_SELLER,
    customer: { ...business('US', undefined, 'NY'), exempt: { reference: 'NY ST-120 #4711' } },
    lines: [10000],
    currency: 'USD',
    treatments: ['exempt_customer'],
    components: [],
    totals: [10000, 0, 10000],
    note: 'Tax exempt customer: exemption reference NY ST-120 #4711',
  },
];

describe('built-in tax provider: worked examples', () => {
  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)('$name', (c) => {
    const req = request(c);
    const result = provider.calculate(req);
    expect(result.lines.map((l) => l.treatment)).toEqual(c.treatments);
    expect(componentsOf(result)).toEqual(c.components);
    const { net, tax, gross } = result.totals;
    expect([net.amount, tax.amount, gross.amount]).toEqual(c.totals);
    if (c.note) expect(result.notes.map((n) => taxNoteText('en', n)).join('\n')).toContain(c.note);
    expect(checkTaxResult(req, result)).toEqual([]);
  });
});

describe('breakdown and notes', () => {
  it('sums per rate over the invoice, and lists untaxed lines by treatment', () => {
    // FR consumer: SaaS 1000 + 2000 at 20 % (200 + 400), e-book 1000 at 5.5 % (55),
    // exempt 500.
    const result = provider.calculate(
      request({
        name: '',
        seller: DE_OSS,
        customer: person('FR'),
        lines: [1000, [1000, 'ebook'], 2000, [500, 'exempt']],
        treatments: [],
        components: [],
        totals: [0, 0, 0],
      }),
    );
    expect(result.breakdown).toEqual([
      {
        treatment: 'taxable',
        jurisdiction: 'FR',
        taxName: 'VAT',
        rate: '20',
        taxableAmount: { amount: 3000, currency: 'EUR' },
        taxAmount: { amount: 600, currency: 'EUR' },
      },
      {
        treatment: 'taxable',
        jurisdiction: 'FR',
        taxName: 'VAT',
        rate: '5.5',
        taxableAmount: { amount: 1000, currency: 'EUR' },
        taxAmount: { amount: 55, currency: 'EUR' },
      },
      {
        treatment: 'exempt_product',
        jurisdiction: 'FR',
        taxName: null,
        rate: '0',
        taxableAmount: { amount: 500, currency: 'EUR' },
        taxAmount: { amount: 0, currency: 'EUR' },
      },
    ]);
    expect(result.notes).toEqual([
      { code: 'exempt_product', mention: 'exempt_product', params: {}, lineIds: ['l4'] },
    ]);
  });

  it('gathers a note once with every line it concerns', () => {
    const result = provider.calculate(
      request({
        name: '',
        seller: DE_OSS,
        customer: business('IT', 'IT12345678901'),
        lines: [1000, 2000],
        treatments: [],
        components: [],
        totals: [0, 0, 0],
      }),
    );
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]!.lineIds).toEqual(['l1', 'l2']);
    expect(result.breakdown).toHaveLength(1);
    expect(result.breakdown[0]!.taxableAmount.amount).toBe(3000);
  });

  it('taxes RatedPeriod.netLines through toTaxLines', () => {
    const lines = toTaxLines(
      [
        { lineId: 'base', amount: { amount: 4900, currency: 'EUR' } },
        { lineId: 'books', amount: { amount: 1000, currency: 'EUR' } },
      ],
      (id) => (id === 'books' ? 'ebook' : 'standard'),
    );
    const result = provider.calculate({
      ...request({
        name: '',
        seller: DE_OSS,
        customer: person('DE'),
        lines: [],
        treatments: [],
        components: [],
        totals: [0, 0, 0],
      }),
      lines,
    });
    // 4900 × 19 % = 931; 1000 × 7 % = 70.
    expect(result.lines.map((l) => l.taxAmount.amount)).toEqual([931, 70]);
  });
});

describe('what the built-in provider refuses', () => {
  const refuse = (c: Partial<Case>) => {
    try {
      provider.calculate(
        request({
          name: '',
          seller: DE_OSS,
          customer: person('DE'),
          lines: [1000],
          treatments: [],
          components: [],
          totals: [0, 0, 0],
          ...c,
        }),
      );
    } catch (error) {
      expect(error).toBeInstanceOf(TaxRequestError);
      return (error as TaxRequestError).issues;
    }
    throw new Error('expected a TaxRequestError');
  };

  it('an e-book where the table has no e-book rate (IE)', () => {
    const [issue] = refuse({ customer: person('IE'), lines: [[1000, 'ebook']] });
    expect(issue!.field).toBe('lines[0].category');
    expect(issue!.message).toContain('no built-in ebook rate for VAT in IE');
  });

  it('a supply before the table covers it', () => {
    const [issue] = refuse({ date: '2023-12-31' });
    expect(issue!.message).toContain('on 2023-12-31');
  });

  it('a US state with nexus whose taxability is not in the table (TX)', () => {
    const [issue] = refuse({ seller: US_SELLER, customer: person('US', 'TX'), currency: 'USD' });
    expect(issue!.message).toContain('does not cover standard sales in TX');
  });

  it('a customer without a state, a malformed VAT number, an unknown country', () => {
    expect(refuse({ customer: person('US') }).map((i) => i.field)).toEqual([
      'customer.address.region',
    ]);
    expect(refuse({ customer: business('FR', 'FR123') }).map((i) => i.field)).toEqual([
      'customer.vatNumber',
    ]);
    expect(refuse({ customer: person('XX') }).map((i) => i.field)).toEqual([
      'customer.address.country',
    ]);
  });

  it('mixed currencies, negative amounts, duplicate lines, bad dates', () => {
    const base = request({
      name: '',
      seller: DE_OSS,
      customer: person('DE'),
      lines: [1000],
      treatments: [],
      components: [],
      totals: [0, 0, 0],
    });
    const bad: TaxRequest = {
      ...base,
      supplyDate: '2025-02-30',
      lines: [
        { lineId: 'a', amount: { amount: -1, currency: 'EUR' }, category: 'standard' },
        { lineId: 'a', amount: { amount: 1, currency: 'USD' }, category: 'standard' },
      ],
    };
    expect(() => provider.calculate(bad)).toThrow(TaxRequestError);
    try {
      provider.calculate(bad);
    } catch (error) {
      expect((error as TaxRequestError).issues.map((i) => i.field)).toEqual([
        'supplyDate',
        'lines[0].amount.amount',
        'lines[1].lineId',
        'lines[1].amount.currency',
      ]);
    }
  });
});

describe('a result computed before the lock (sameTaxQuestion)', () => {
  const base = request({
    name: '',
    seller: DE_OSS,
    customer: person('DE'),
    lines: [1000, 2500],
    treatments: [],
    components: [],
    totals: [0, 0, 0],
  });
  const at = (supplyDate: string): TaxRequest => ({ ...base, supplyDate });

  it('answers the same request on the same tax date, whatever the time of day', () => {
    expect(
      sameTaxQuestion(at('2025-07-01T08:00:00.000+02:00'), at('2025-07-01T23:59:59+02:00')),
    ).toBe(true);
    expect(sameTaxQuestion(at('2025-07-01'), at('2025-07-01T10:00:00Z'))).toBe(true);
  });

  it('does not answer another day, line, customer or price basis', () => {
    const changed: TaxRequest[] = [
      at('2025-07-02T00:00:01+02:00'),
      { ...base, lines: [base.lines[0]!] },
      {
        ...base,
        lines: base.lines.map((l, i) =>
          i === 1 ? { ...l, amount: { ...l.amount, amount: 2600 } } : l,
        ),
      },
      { ...base, lines: base.lines.map((l) => ({ ...l, category: 'ebook' as const })) },
      { ...base, customer: person('FR') },
      { ...base, taxBehavior: base.taxBehavior === 'exclusive' ? 'inclusive' : 'exclusive' },
    ];
    for (const other of changed) expect(sameTaxQuestion(base, other)).toBe(false);
  });
});
