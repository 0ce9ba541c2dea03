// The customer portal's pages from Handlebars templates (templates/portal/), with the documents'
// helpers ({{money}}, {{date}}, {{t}} …) in the customer's locale and time zone. Every page is
// laid out by templates/portal/layout.hbs: inline CSS and no script at all, so the API's
// Content-Security-Policy (scripts from this origin only) has nothing to forbid. Templates are
// read and parsed once, when the pages are created (template-files.ts).
import Handlebars from 'handlebars';
import { languageOf } from '../i18n/catalogue.ts';
import { displayLocale } from './renderer.ts';
import { compileFile, templateDirs } from './template-files.ts';
import { registerHelpers, type TemplateRoot } from './template-helpers.ts';
import type { Brand } from './views.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';

export const PORTAL_PAGES = [
  'sign-in',
  'link',
  'notice',
  'overview',
  'invoices',
  'billing-details',
] as const;
export type PortalPageName = (typeof PORTAL_PAGES)[number];

/** What every portal page sees: who it is for, in which language, under whose brand. */
export interface PortalFrame {
  brand: Brand;
  seller: SellerDetails;
  customer: { name?: string; locale: string; timezone: string };
  /** Set on the pages of a session: the navigation and every form carry it. */
  csrfToken?: string | undefined;
  /** Which tab is current. */
  page?: string;
  [key: string]: unknown;
}

export type PortalPages = (name: PortalPageName, context: PortalFrame) => string;

export function createPortalPages(): PortalPages {
  const hb = Handlebars.create();
  registerHelpers(hb);
  const dirs = templateDirs(undefined);
  const compile = (name: string) => compileFile(hb, dirs, `portal/${name}.hbs`, false);
  hb.registerPartial('portal-layout', compile('layout'));
  const pages = new Map(PORTAL_PAGES.map((name) => [name, compile(name)] as const));
  return (name, context) => {
    const locale = displayLocale(context.customer.locale);
    const root: TemplateRoot & PortalFrame = {
      ...context,
      // The helpers' defaults: amounts carry their own currency in these pages.
      currency: '',
      customer: { ...context.customer, locale },
      lang: languageOf(locale),
    };
    return pages.get(name)!(root);
  };
}
