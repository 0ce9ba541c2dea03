// The seller's tax identity and document numbering, read with the rest by loadConfig.
import { IANAZone } from 'luxon';
import { checkNumberFormat, type NumberingSettings } from '../domain/invoicing/numbering.ts';
import type { SellerEInvoiceDetails } from '../domain/invoicing/seller.ts';
import type { TaxRegistrations, TaxSeller } from '../domain/tax/types.ts';
import { validateTaxSeller } from '../domain/tax/validation.ts';

/**
 * The seller's tax identity: SELLER_COUNTRY, SELLER_REGION and SELLER_TAX_REGISTRATIONS (JSON,
 * e.g. {"eu":{"vatNumber":"IE1234567T","oss":true},"us":{"nexusStates":["NY","TX"]}}).
 * The demo default is an Irish company registered for EU VAT with the OSS scheme.
 */
export function taxSellerFromEnv(env: NodeJS.ProcessEnv): TaxSeller {
  let registrations: TaxRegistrations;
  try {
    registrations = env.SELLER_TAX_REGISTRATIONS
      ? (JSON.parse(env.SELLER_TAX_REGISTRATIONS) as TaxRegistrations)
      : { eu: { vatNumber: 'IE1234567T', oss: true } };
  } catch {
    throw new Error(
      'SELLER_TAX_REGISTRATIONS must be JSON, e.g. {"eu":{"vatNumber":"IE1234567T","oss":true}}',
    );
  }
  const seller: TaxSeller = {
    country: env.SELLER_COUNTRY ?? 'IE',
    ...(env.SELLER_REGION ? { region: env.SELLER_REGION } : {}),
    registrations,
  };
  const issues = validateTaxSeller(seller);
  if (issues.length > 0) {
    throw new Error(
      `the seller's tax settings are invalid: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
    );
  }
  return seller;
}

/** INVOICE_NUMBER_FORMAT (default INV-{YYYY}-{SEQ:6}), CREDIT_NOTE_NUMBER_FORMAT, SELLER_TIMEZONE. */
export function numberingFromEnv(env: NodeJS.ProcessEnv): NumberingSettings {
  const settings: NumberingSettings = {
    invoiceFormat: env.INVOICE_NUMBER_FORMAT || 'INV-{YYYY}-{SEQ:6}',
    creditNoteFormat: env.CREDIT_NOTE_NUMBER_FORMAT || 'CN-{YYYY}-{SEQ:6}',
    timezone: env.SELLER_TIMEZONE || 'Europe/Dublin',
  };
  for (const [name, format] of [
    ['INVOICE_NUMBER_FORMAT', settings.invoiceFormat],
    ['CREDIT_NOTE_NUMBER_FORMAT', settings.creditNoteFormat],
  ] as const) {
    const problem = checkNumberFormat(format);
    if (problem) throw new Error(`${name} is invalid: ${problem}`);
  }
  if (!IANAZone.isValidZone(settings.timezone)) {
    throw new Error(`SELLER_TIMEZONE must be an IANA time zone, got "${settings.timezone}"`);
  }
  return settings;
}

/**
 * What e-invoices say of the seller beyond the printed details: SELLER_STREET, SELLER_CITY,
 * SELLER_POSTAL_CODE, SELLER_PHONE, SELLER_PEPPOL_ID ("scheme:id", e.g. "9935:IE1234567T";
 * without it the seller's email, scheme EM, which XRechnung takes and Peppol does not),
 * SELLER_IBAN and SELLER_BIC. The defaults are the
 * demo seller's (the same bank account as its payment instructions).
 */
export function eInvoiceSellerFromEnv(
  env: NodeJS.ProcessEnv,
  printed: { addressLines: string[]; email: string },
): SellerEInvoiceDetails {
  // Peppol refuses an email as the seller's address (PEPPOL-EN16931-CL008): the demo seller
  // (no SELLER_TAX_ID) has its Irish VAT number (EAS 9935) as Peppol id.
  const peppolId =
    env.SELLER_PEPPOL_ID?.trim() || (env.SELLER_TAX_ID ? undefined : '9935:IE1234567T');
  let endpoint = { scheme: 'EM', id: printed.email };
  if (peppolId) {
    const match = /^([0-9]{4}|[A-Z]{2}):(.+)$/.exec(peppolId);
    if (!match) throw new Error('SELLER_PEPPOL_ID must be "scheme:id", e.g. 9935:IE1234567T');
    endpoint = { scheme: match[1]!, id: match[2]! };
  }
  const iban = (env.SELLER_IBAN ?? 'IE29AIBK93115212345678').replace(/\s/g, '');
  const bic = env.SELLER_BIC ?? 'AIBKIE2D';
  return {
    street: env.SELLER_STREET ?? printed.addressLines[0] ?? '',
    city: env.SELLER_CITY ?? 'Dublin',
    postalCode: env.SELLER_POSTAL_CODE ?? 'D02 XY45',
    phone: env.SELLER_PHONE ?? '+353 1 555 0100',
    endpoint,
    ...(iban ? { iban } : {}),
    ...(bic ? { bic } : {}),
  };
}
