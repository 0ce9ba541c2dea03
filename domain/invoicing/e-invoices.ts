// E-invoice formats a customer can receive, and what each needs to know about them. Pure: the
// customer service checks a setting with it, the documents map invoices with it.

/**
 * The formats, named as @e-invoice-eu/core names them (lower case), except Peppol BIS Billing
 * 3.0, which is the library's UBL with Peppol's customization: 'none' sends the plain PDF only.
 */
export const E_INVOICE_FORMATS = [
  'none',
  'factur-x-en16931',
  'xrechnung-cii',
  'xrechnung-ubl',
  'peppol-ubl',
] as const;
export type EInvoiceFormat = (typeof E_INVOICE_FORMATS)[number];

export function isEInvoiceFormat(value: string): value is EInvoiceFormat {
  return (E_INVOICE_FORMATS as readonly string[]).includes(value);
}

/** A Peppol participant id: an ISO 6523 / EAS scheme ("0088", "9930") and the id in it. */
export interface PeppolEndpoint {
  scheme: string;
  id: string;
}

/** What a customer's e-invoices carry besides the invoice: their setting as stored. */
export interface EInvoiceSetting {
  format: EInvoiceFormat;
  /** BT-10, the buyer's reference (Leitweg-ID for German public buyers). */
  buyerReference?: string | undefined;
  /** BT-49, where the buyer receives e-invoices on Peppol. */
  peppolEndpoint?: PeppolEndpoint | undefined;
}

/** What the buyer's record says that the formats look at. */
export interface EInvoiceBuyerFacts {
  city?: string | null | undefined;
  postalCode?: string | null | undefined;
  line1?: string | null | undefined;
}

/** The EAS code list's shape: four digits, or a two-letter code such as EM (email). */
const PEPPOL_SCHEME = /^(\d{4}|[A-Z]{2})$/;

/**
 * What keeps `setting` from producing a valid e-invoice for this buyer, as request fields and
 * messages: XRechnung needs a buyer reference and a street, post code and city (BR-DE-15,
 * BR-DE-8, BR-DE-9); Peppol needs the buyer's Peppol id (PEPPOL-EN16931-R010).
 */
export function eInvoiceSettingIssues(
  setting: EInvoiceSetting,
  buyer: EInvoiceBuyerFacts,
): { field: string; message: string }[] {
  const issues: { field: string; message: string }[] = [];
  const endpoint = setting.peppolEndpoint;
  if (endpoint && !PEPPOL_SCHEME.test(endpoint.scheme)) {
    issues.push({
      field: 'peppolEndpoint.scheme',
      message: `${endpoint.scheme} is not an EAS code (four digits such as 0088, or EM)`,
    });
  }
  if (setting.format === 'xrechnung-cii' || setting.format === 'xrechnung-ubl') {
    if (!setting.buyerReference) {
      issues.push({
        field: 'buyerReference',
        message: 'XRechnung needs the buyer reference (the Leitweg-ID of a public buyer)',
      });
    }
    for (const [part, field] of [
      ['line1', 'address.line1'],
      ['postalCode', 'address.postalCode'],
      ['city', 'address.city'],
    ] as const) {
      if (!buyer[part]) {
        issues.push({ field, message: 'XRechnung needs the buyer’s street, post code and city' });
      }
    }
  }
  if (setting.format === 'peppol-ubl' && !endpoint) {
    issues.push({
      field: 'peppolEndpoint',
      message: 'Peppol BIS needs the buyer’s Peppol id (scheme and id)',
    });
  }
  return issues;
}
