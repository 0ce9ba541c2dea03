// Countries and subdivisions the tax stage recognises. Plain lists (no locale data), so the
// answer is the same in the workflow sandbox and everywhere else.

/** ISO 3166-1 alpha-2, the 249 officially assigned codes. */
const ISO_COUNTRIES = `
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW`;

export const COUNTRY_CODES: ReadonlySet<string> = new Set(ISO_COUNTRIES.trim().split(/\s+/));

export function isCountryCode(code: unknown): code is string {
  return typeof code === 'string' && COUNTRY_CODES.has(code);
}

/** The 27 EU member states (ISO codes: Greece is GR here, EL only in VAT numbers). */
export const EU_MEMBER_STATES: ReadonlySet<string> = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);

/** 50 states and the District of Columbia. */
export const US_STATES: ReadonlySet<string> = new Set(
  `AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
   NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC`.split(/\s+/),
);

/** 10 provinces and 3 territories. */
export const CA_PROVINCES: ReadonlySet<string> = new Set(
  'AB BC MB NB NL NS NT NU ON PE QC SK YT'.split(' '),
);

/** Provinces where the harmonized sales tax replaces GST + provincial tax. */
export const CA_HST_PROVINCES: ReadonlySet<string> = new Set('NB NL NS ON PE'.split(' '));

/** Provinces that levy their own sales tax beside GST: PST (BC, SK), RST (MB), QST (QC). */
export const CA_PST_PROVINCES: ReadonlySet<string> = new Set('BC MB SK'.split(' '));

/** ISO 3166-2:IN: 28 states and 8 union territories. */
export const IN_STATES: ReadonlySet<string> = new Set(
  `AP AR AS BR CG GA GJ HR HP JH KA KL MP MH MN ML MZ NL OD PB RJ SK TN TS TR UP UK WB
   AN CH DH DL JK LA LD PY`.split(/\s+/),
);

/**
 * Union territories without a legislature levy UTGST instead of SGST (UTGST Act 2017);
 * Delhi, Puducherry and Jammu and Kashmir levy SGST.
 */
export const IN_UTGST_TERRITORIES: ReadonlySet<string> = new Set('AN CH DH LA LD'.split(' '));

/** Countries whose subdivision decides the tax, and what it is called in messages. */
export const REGION_REQUIRED: Readonly<Record<string, string>> = {
  US: 'a US state code (e.g. NY)',
  CA: 'a Canadian province or territory code (e.g. QC)',
  IN: 'an Indian state or union territory code, ISO 3166-2:IN (e.g. KA)',
};

export function regionsOf(country: string): ReadonlySet<string> | undefined {
  if (country === 'US') return US_STATES;
  if (country === 'CA') return CA_PROVINCES;
  if (country === 'IN') return IN_STATES;
  return undefined;
}
