// The billing-details form: its fields are the API's own (PATCH /v1/customers/:id) by name and
// by schema, so the form is checked exactly as the API checks a correction: first the request
// schema (the same TypeBox schemas and validator, errors named by field), then the customers
// service. A refusal comes back as the form again, each field at fault marked and named.
import { Type, type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { Customer } from '../../db/database.ts';
import { updateBillingDetails, type BillingDetails } from '../../services/portal.ts';
import { badRequest, Problem, type FieldError } from '../problem.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';
import type { Reader } from './pages.ts';
import { fieldErrors, validatorCompiler } from '../plugins/validation.ts';
import { UpdateCustomerBody } from '../schemas/customers.ts';

const { name, email, country, locale, address, vatNumber } = UpdateCustomerBody.properties;

/** The part of a customer correction a customer may send: the API's schemas for these fields. */
export const BillingDetailsBody = Type.Object(
  { name, email, country, locale, address, vatNumber },
  { additionalProperties: false },
);

const checkBody = validatorCompiler({
  schema: BillingDetailsBody,
  method: 'POST',
  url: '/portal/billing-details',
  httpPart: 'body',
});

/** The form's fields, in order: the API's field path, its label and how the browser fills it. */
const FIELDS = [
  { name: 'name', label: 'name', autocomplete: 'organization', wide: true },
  { name: 'email', label: 'email', type: 'email', autocomplete: 'email', wide: true },
  { name: 'address.line1', label: 'line1', autocomplete: 'address-line1', wide: true },
  { name: 'address.line2', label: 'line2', autocomplete: 'address-line2', wide: true },
  { name: 'address.postalCode', label: 'postalCode', autocomplete: 'postal-code' },
  { name: 'address.city', label: 'city', autocomplete: 'address-level2' },
  { name: 'address.region', label: 'region', autocomplete: 'address-level1' },
  { name: 'country', label: 'country', autocomplete: 'country', hint: 'countryHint' },
  { name: 'vatNumber', label: 'vatNumber', hint: 'vatHint' },
  { name: 'locale', label: 'locale', hint: 'localeHint' },
] as const;

export type BillingForm = Record<(typeof FIELDS)[number]['name'], string>;

/** What the form shows for a stored customer. */
export function formOf(customer: Customer): BillingForm {
  return {
    name: customer.name,
    email: customer.email,
    'address.line1': customer.address_line1 ?? '',
    'address.line2': customer.address_line2 ?? '',
    'address.postalCode': customer.postal_code ?? '',
    'address.city': customer.city ?? '',
    'address.region': customer.region ?? '',
    country: customer.country,
    vatNumber: customer.vat_number ?? '',
    locale: customer.locale,
  };
}

/** The posted form's fields, trimmed; a field not posted is empty. */
export function postedForm(body: Record<string, unknown>): BillingForm {
  const value = (field: string) => {
    const sent = body[field];
    return typeof sent === 'string' ? sent.trim() : '';
  };
  return Object.fromEntries(FIELDS.map((f) => [f.name, value(f.name)])) as BillingForm;
}

/** An optional part left empty clears it, as null does in the API's merge patch. */
const clearable = (value: string) => (value === '' ? null : value);

/** The form as the API's correction, checked by the API's schema: the details, or the errors. */
export function billingDetailsOf(
  form: BillingForm,
): { ok: true; details: BillingDetails } | { ok: false; errors: FieldError[] } {
  const body: Static<typeof BillingDetailsBody> = {
    name: form.name,
    email: form.email,
    country: form.country,
    locale: form.locale,
    address: {
      line1: clearable(form['address.line1']),
      line2: clearable(form['address.line2']),
      city: clearable(form['address.city']),
      region: clearable(form['address.region']),
      postalCode: clearable(form['address.postalCode']),
    },
    vatNumber: clearable(form.vatNumber),
  };
  const checked = checkBody(body) as { error?: Parameters<typeof fieldErrors>[0] };
  if (checked.error) return { ok: false, errors: fieldErrors(checked.error, 'body') };
  return { ok: true, details: body as BillingDetails };
}

/** The fields a refusal names (a problem without field errors names the whole form). */
function errorsOf(problem: Problem): FieldError[] {
  return problem.errors ?? [{ field: 'body', message: problem.detail }];
}

type SignedIn = Extract<Reader, { session: unknown }>;

export interface BillingFormOutcome {
  status: number;
  reader: SignedIn;
  form: BillingForm;
  saved?: boolean;
  errors?: FieldError[];
}

/**
 * A posted form, checked by the API's schema, then saved by the customers service: the stored
 * details (200), or the form as posted with the problem's fields (400 or 422). Any other problem
 * (the database down) is thrown, as anywhere in the API.
 */
export async function submitBillingForm(
  app: FastifyInstance,
  reader: SignedIn,
  body: Record<string, unknown>,
): Promise<BillingFormOutcome> {
  const form = postedForm(body);
  try {
    const checked = billingDetailsOf(form);
    if (!checked.ok) throw badRequest('The billing details are malformed.', checked.errors);
    const deps = {
      ...serviceDependencies(app),
      seller: app.tax.seller,
      testClocks: app.testClocks,
    };
    const { customer } = await answeringRefusals(() =>
      updateBillingDetails(deps, reader.customer.id, checked.details),
    );
    return { status: 200, reader: { ...reader, customer }, form: formOf(customer), saved: true };
  } catch (error) {
    if (!(error instanceof Problem) || (error.status !== 400 && error.status !== 422)) throw error;
    return { status: error.status, reader, form, errors: errorsOf(error) };
  }
}

/** The fields whose refusal the `billing-form` catalogue words, by the form's field name. */
const WORDED_FIELD: Record<string, string> = {
  name: 'name',
  email: 'email',
  'address.line1': 'address',
  'address.line2': 'address',
  'address.postalCode': 'address',
  'address.city': 'address',
  'address.region': 'address',
  country: 'country',
  vatNumber: 'vatNumber',
  locale: 'locale',
};

/**
 * What the form says of a refused field, in the reader's language: the API's problem detail
 * stays English for operators; the customer reads the `billing-form` catalogue's words for the
 * field (a missing one is required, the whole form when no field is named).
 */
export function refusalMessage(t: (key: string) => string, error: FieldError): string {
  if (error.message === 'is required') return t('billing-form.required');
  const field = WORDED_FIELD[error.field];
  if (field !== undefined) return t(`billing-form.invalid.${field}`);
  return t(error.field === 'body' ? 'billing-form.invalid.form' : 'billing-form.invalid.other');
}

/** The form's context for the template: each field labelled, valued, and marked when at fault. */
export function toBillingDetailsPage(
  t: (key: string) => string,
  form: BillingForm,
  outcome: { saved?: boolean; errors?: FieldError[] } = {},
) {
  const errors = (outcome.errors ?? []).map((e) => ({ ...e, message: refusalMessage(t, e) }));
  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
  const labelOf = (field: string) => {
    const known = FIELDS.find((f) => f.name === field);
    return known ? t(`portal.details.${known.label}`) : field;
  };
  return {
    saved: outcome.saved ?? false,
    errors: errors.map((e) => ({ field: e.field, label: labelOf(e.field), message: e.message })),
    fields: FIELDS.map((f) => ({
      name: f.name,
      label: t(`portal.details.${f.label}`),
      type: 'type' in f ? f.type : 'text',
      autocomplete: 'autocomplete' in f ? f.autocomplete : 'off',
      wide: 'wide' in f,
      hint: 'hint' in f ? t(`portal.details.${f.hint}`) : undefined,
      value: form[f.name],
      error: errorOf(f.name),
    })),
  };
}
