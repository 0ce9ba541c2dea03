// The application's settings the routes read as app.tax, app.documents and app.invoicing: the
// seller, tax, templates and numbering the worker bills with, built from config/ and passed in.
// Settings, not infrastructure: plugins/ holds validation, problems, auth and the like.
import type { BillwrightConfig } from '../config/index.ts';
import type { EmailSender } from '../email/port.ts';
import { createDocumentRenderer, type DocumentRenderer } from '../documents/renderer.ts';
import type { Brand } from '../documents/views.ts';
import type { NumberingSettings } from '../domain/invoicing/numbering.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';
import { createBuiltInTaxProvider } from '../domain/tax/built-in.ts';
import type { TaxProvider } from '../domain/tax/provider.ts';
import type { TaxRounding, TaxSeller } from '../domain/tax/types.ts';

/** Tax for requests that price things (estimates) and check customers (clean data). */
export interface ApiTax {
  seller: TaxSeller;
  provider: TaxProvider;
  rounding: TaxRounding;
}

/** Documents the API renders on request (estimates): the renderer and who the seller is. */
export interface ApiDocuments {
  renderer: DocumentRenderer;
  seller: SellerDetails;
  brand: Brand;
}

/** What changing invoices needs beyond tax and the seller: how they are numbered. */
export interface ApiInvoicing {
  numbering: NumberingSettings;
}

/** What the API emails customers itself (the portal's sign-in links), and as whom. */
export interface ApiEmail {
  sender: EmailSender;
  from: string;
}

/** Where the customer portal's magic links point and what signs them. */
export interface ApiPortal {
  publicBaseUrl: string;
  /** BILLWRIGHT_SIGNING_SECRET; unset: the portal answers 503. */
  signingSecret: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    tax: ApiTax;
    documents: ApiDocuments;
    invoicing: ApiInvoicing;
    email: ApiEmail;
    portal: ApiPortal;
  }
}

export function taxOf(config: BillwrightConfig): ApiTax {
  return {
    seller: config.taxSeller,
    provider: createBuiltInTaxProvider(),
    rounding: config.taxRounding,
  };
}

export function documentsOf(config: BillwrightConfig): ApiDocuments {
  return {
    renderer: createDocumentRenderer({ templatesDir: config.templatesDir, brand: config.brand }),
    seller: config.seller,
    brand: config.brand,
  };
}

export function invoicingOf(config: BillwrightConfig): ApiInvoicing {
  return { numbering: config.invoiceNumbering };
}
