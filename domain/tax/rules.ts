// Where a line is taxed and by which taxes: the place-of-supply rules of the built-in provider
// for electronically supplied services. The amounts are computed elsewhere (built-in.ts); a
// rule only says which taxes apply, at which rates, or why none does.
import type { Issue } from '../catalog/validation.ts';
import {
  CA_HST_PROVINCES,
  CA_PST_PROVINCES,
  EU_MEMBER_STATES,
  IN_UTGST_TERRITORIES,
} from './places.ts';
import { findRate, findUsTaxability } from './rates.ts';
import type {
  TaxCategory,
  TaxCustomer,
  TaxMention,
  TaxMentionParams,
  TaxName,
  TaxNoteCode,
  TaxRateTable,
  TaxSeller,
  TaxTreatment,
} from './types.ts';
import { TaxRequestError } from './validation.ts';

export interface PlannedComponent {
  jurisdiction: string;
  taxName: TaxName;
  rate: string;
}

export interface PlannedNote {
  code: TaxNoteCode;
  mention: TaxMention;
  params: TaxMentionParams;
}

export interface LinePlan {
  treatment: TaxTreatment;
  /** Place of supply: "FR", "CA-QC", "US-TX", "JP". */
  jurisdiction: string;
  components: PlannedComponent[];
  notes: PlannedNote[];
}

export interface RuleContext {
  customer: TaxCustomer;
  seller: TaxSeller;
  /** YYYY-MM-DD */
  date: string;
  table: TaxRateTable;
  /** For error fields: "lines[2].category". */
  field: string;
}

/** The mention each rule asks for, and what it names (worded by the document layer). */
export const NOTES = {
  euReverseCharge: mention('eu_reverse_charge'),
  gbReverseCharge: mention('gb_reverse_charge'),
  caReverseCharge: mention('ca_reverse_charge'),
  auReverseCharge: mention('au_reverse_charge'),
  nzReverseCharge: mention('nz_reverse_charge'),
  inReverseCharge: mention('in_reverse_charge'),
  exemptProduct: mention('exempt_product'),
  exemptCustomer: (reference: string) => mention('exempt_customer', { reference }),
  euOutsideScope: (country: string) => mention('eu_outside_scope', { country }),
  gbOutsideScope: (country: string) => mention('gb_outside_scope', { country }),
  outsideScope: (country: string, sellerCountry: string) =>
    mention('outside_scope', { country, sellerCountry }),
  notRegistered: (tax: string, place: string) => mention('not_registered', { tax, place }),
  noNexus: (state: string) => mention('no_nexus', { state }),
  notTaxable: (reason: string) => mention('not_taxable', { reason }),
} as const;

type Mentioned = Omit<PlannedNote, 'code'>;

function mention(name: TaxMention, params: TaxMentionParams = {}): Mentioned {
  return { mention: name, params };
}

type Regime = 'eu' | 'gb' | 'ca' | 'au' | 'nz' | 'in' | 'us' | 'none';

export function regimeOf(country: string): Regime {
  if (EU_MEMBER_STATES.has(country)) return 'eu';
  switch (country) {
    case 'GB':
      return 'gb';
    case 'CA':
      return 'ca';
    case 'AU':
      return 'au';
    case 'NZ':
      return 'nz';
    case 'IN':
      return 'in';
    case 'US':
      return 'us';
    default:
      return 'none';
  }
}

function untaxed(
  treatment: Exclude<TaxTreatment, 'taxable'>,
  jurisdiction: string,
  code: TaxNoteCode,
  note: Mentioned,
): LinePlan {
  return { treatment, jurisdiction, components: [], notes: [{ code, ...note }] };
}

function component(
  ctx: RuleContext,
  category: Exclude<TaxCategory, 'exempt'>,
  rateJurisdiction: string,
  taxName: TaxName,
  jurisdiction: string = rateJurisdiction,
): PlannedComponent {
  const found = findRate(ctx.table, rateJurisdiction, taxName, category, ctx.date);
  if (!found) {
    const issue: Issue = {
      field: ctx.field,
      message: `no built-in ${category} rate for ${taxName} in ${rateJurisdiction} on ${ctx.date}: add it to the rates table (domain/tax/rate-table/) or use another tax provider`,
    };
    throw new TaxRequestError([issue]);
  }
  return { jurisdiction, taxName, rate: found.rate };
}

/** The place of supply as a jurisdiction code: "FR", "CA-QC", "US-TX", "IN-KA", "JP". */
export function placeOf(customer: TaxCustomer): string {
  const { country, region } = customer.address;
  return (country === 'US' || country === 'CA' || country === 'IN') && region
    ? `${country}-${region}`
    : country;
}

/** Cross-border B2B with the customer's registration number: the customer accounts for tax. */
function isReverseCharge(ctx: RuleContext): boolean {
  const { customer, seller } = ctx;
  return (
    seller.country !== customer.address.country &&
    customer.customerType === 'business' &&
    customer.vatNumber !== undefined &&
    customer.vatNumber.trim() !== ''
  );
}

function taxed(jurisdiction: string, components: PlannedComponent[], notes: PlannedNote[] = []) {
  return { treatment: 'taxable' as const, jurisdiction, components, notes };
}

/** The taxes of one line, by the rules documented in docs/TAX.md. */
export function planLine(ctx: RuleContext, category: TaxCategory): LinePlan {
  const { customer, seller } = ctx;
  const country = customer.address.country;
  const place = placeOf(customer);
  if (category === 'exempt') {
    return untaxed('exempt_product', place, 'exempt_product', NOTES.exemptProduct);
  }
  if (customer.exempt) {
    return untaxed(
      'exempt_customer',
      place,
      'exempt_customer',
      NOTES.exemptCustomer(customer.exempt.reference),
    );
  }
  const r = seller.registrations;
  switch (regimeOf(country)) {
    case 'eu': {
      if (isReverseCharge(ctx)) {
        return untaxed('reverse_charge', place, 'reverse_charge', NOTES.euReverseCharge);
      }
      if (!r.eu) {
        return untaxed(
          'not_registered',
          place,
          'not_registered',
          NOTES.notRegistered('VAT', country),
        );
      }
      const sellerInEu = EU_MEMBER_STATES.has(seller.country);
      // Below the EU-wide €10,000 threshold (no OSS), an EU seller charges its own VAT
      // on B2C supplies to other member states (Art. 59c); the place of supply is its own.
      const vatCountry =
        sellerInEu && seller.country !== country && !r.eu.oss ? seller.country : country;
      return taxed(vatCountry, [component(ctx, category, vatCountry, 'VAT')]);
    }
    case 'gb': {
      if (isReverseCharge(ctx)) {
        return untaxed('reverse_charge', place, 'reverse_charge', NOTES.gbReverseCharge);
      }
      if (!r.gb) {
        return untaxed('not_registered', place, 'not_registered', NOTES.notRegistered('VAT', 'GB'));
      }
      return taxed(place, [component(ctx, category, 'GB', 'VAT')]);
    }
    case 'ca':
      return planCanada(ctx, category, place);
    case 'au':
    case 'nz': {
      if (isReverseCharge(ctx)) {
        const note = country === 'AU' ? NOTES.auReverseCharge : NOTES.nzReverseCharge;
        return untaxed('reverse_charge', place, 'reverse_charge', note);
      }
      if (!(country === 'AU' ? r.au : r.nz)) {
        return untaxed(
          'not_registered',
          place,
          'not_registered',
          NOTES.notRegistered('GST', country),
        );
      }
      return taxed(place, [component(ctx, category, country, 'GST')]);
    }
    case 'in':
      return planIndia(ctx, category, place);
    case 'us':
      return planUnitedStates(ctx, category, place);
    case 'none': {
      const note = EU_MEMBER_STATES.has(seller.country)
        ? NOTES.euOutsideScope(country)
        : seller.country === 'GB'
          ? NOTES.gbOutsideScope(country)
          : NOTES.outsideScope(country, seller.country);
      return untaxed('outside_scope', place, 'outside_scope', note);
    }
  }
}

function planCanada(ctx: RuleContext, category: TaxCategory, place: string): LinePlan {
  if (category === 'exempt') throw new RangeError('exempt lines are planned earlier');
  if (isReverseCharge(ctx)) {
    return untaxed('reverse_charge', place, 'reverse_charge', NOTES.caReverseCharge);
  }
  const province = ctx.customer.address.region!;
  const ca = ctx.seller.registrations.ca;
  const components: PlannedComponent[] = [];
  const notes: PlannedNote[] = [];
  const missing = (tax: string, where: string) =>
    notes.push({ code: 'not_registered', ...NOTES.notRegistered(tax, where) });
  if (CA_HST_PROVINCES.has(province)) {
    if (ca) components.push(component(ctx, category, place, 'HST'));
    else missing('GST/HST', 'Canada');
  } else {
    if (ca) components.push(component(ctx, category, 'CA', 'GST'));
    else missing('GST/HST', 'Canada');
    if (CA_PST_PROVINCES.has(province)) {
      if (ca?.pstProvinces?.includes(province)) {
        components.push(component(ctx, category, place, 'PST'));
      } else missing('PST', province);
    }
    if (province === 'QC') {
      if (ca?.qstNumber) components.push(component(ctx, category, place, 'QST'));
      else missing('QST', 'QC');
    }
  }
  if (components.length === 0)
    return { treatment: 'not_registered', jurisdiction: place, components, notes };
  return taxed(place, components, notes);
}

function planIndia(ctx: RuleContext, category: TaxCategory, place: string): LinePlan {
  if (category === 'exempt') throw new RangeError('exempt lines are planned earlier');
  if (isReverseCharge(ctx)) {
    return untaxed('reverse_charge', place, 'reverse_charge', NOTES.inReverseCharge);
  }
  const registration = ctx.seller.registrations.in;
  if (!registration) {
    return untaxed('not_registered', place, 'not_registered', NOTES.notRegistered('GST', 'IN'));
  }
  const state = ctx.customer.address.region;
  // Intra-state supply (place of supply in the seller's registered state): CGST + SGST
  // (UTGST in a union territory without legislature); otherwise IGST. A supplier outside
  // India (OIDAR) always charges IGST.
  if (ctx.seller.country === 'IN' && state !== undefined && state === registration.state) {
    const local = IN_UTGST_TERRITORIES.has(state) ? 'UTGST' : 'SGST';
    return taxed(place, [
      component(ctx, category, 'IN', 'CGST'),
      component(ctx, category, 'IN', local, place),
    ]);
  }
  return taxed(place, [component(ctx, category, 'IN', 'IGST')]);
}

function planUnitedStates(ctx: RuleContext, category: TaxCategory, place: string): LinePlan {
  if (category === 'exempt') throw new RangeError('exempt lines are planned earlier');
  const state = ctx.customer.address.region!;
  const taxability = findUsTaxability(ctx.table, state, category, ctx.date);
  if (taxability && !taxability.taxable) {
    // Not taxable in the state (or no sales tax at all): say so, nexus or not.
    return untaxed('not_taxable', place, 'not_taxable', NOTES.notTaxable(taxability.reason ?? ''));
  }
  if (!ctx.seller.registrations.us?.nexusStates.includes(state)) {
    return untaxed('no_nexus', place, 'no_nexus', NOTES.noNexus(state));
  }
  if (!taxability) {
    throw new TaxRequestError([
      {
        field: ctx.field,
        message: `the built-in provider does not cover ${category} sales in ${state} (taxability not in the table): use another tax provider`,
      },
    ]);
  }
  return taxed(place, [component(ctx, category, place, 'Sales tax')]);
}
