// GST rates: Canada (with its provinces' HST, PST and QST), Australia, New Zealand and India.
import type { TaxRate } from '../types.ts';
import { COVERAGE_START, entry } from './coverage.ts';

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

export const GST_RATES: TaxRate[] = [...CANADA, ...OCEANIA, ...INDIA];
