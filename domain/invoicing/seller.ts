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
}
