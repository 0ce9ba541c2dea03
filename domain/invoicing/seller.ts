// Who issues invoices, as documents print them and finalized invoices keep them: a plain value
// the configuration, the documents and the invoice repositories all share.

/** Who issues the invoice: the legal entity, as it must appear on the document. */
export interface SellerDetails {
  legalName: string;
  /** Postal address without the country, one line per entry, in display order. */
  addressLines: string[];
  /** ISO 3166-1 alpha-2 code, written out in each document's language. */
  country?: string;
  /** VAT / GST / EIN number, when the seller has one. */
  taxId?: string;
  /** Where customers reach a person about billing. */
  email: string;
  /** How to pay by hand (bank transfer details, cheques); may span several lines. */
  paymentInstructions?: string;
  /** What e-invoices say of the seller beyond the printed details (docs/E-INVOICES.md). */
  eInvoice?: SellerEInvoiceDetails;
}

/** The seller as EN 16931 wants it: a structured address, a phone, an electronic address. */
export interface SellerEInvoiceDetails {
  street: string;
  city: string;
  postalCode: string;
  phone: string;
  /** BT-34: the seller's Peppol id (EAS scheme and id), or their email under scheme EM. */
  endpoint: { scheme: string; id: string };
  /** Where customers pay by credit transfer (BG-17); XRechnung requires a payment means. */
  iban?: string;
  bic?: string;
}
