// VAT rates: the European Union's 27 member states and the United Kingdom.
import type { TaxRate } from '../types.ts';
import { COVERAGE_START, entry } from './coverage.ts';

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

export const VAT_RATES: TaxRate[] = [...EU_STANDARD, ...EU_EBOOK, ...UNITED_KINGDOM];
