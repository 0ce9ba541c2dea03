// The customer portal on the wire: the operator's request for a magic link (POST
// /v1/customers/:id/portal-links) and its answer, and the portal's browser pages as the OpenAPI
// document shows them (HTML pages, form posts answered by See Other).
import { Type } from 'typebox';
import type { IssuedPortalLink } from '../../services/portal-sessions.ts';
import { iso, problemResponse, Timestamp } from './common.ts';
import { htmlRefusal } from './dashboard.ts';

export { redirectResponse } from './dashboard.ts';

export const PortalLinkBody = Type.Object(
  {
    sendEmail: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          'Email the link to the customer’s billing address (default), in their language; ' +
          'false only returns it (to hand over another way).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PortalLinkSchema = Type.Object(
  {
    url: Type.String({
      format: 'uri',
      description: 'The signed magic link: it opens one portal session, once.',
    }),
    expiresAt: { ...Timestamp, description: 'When the link stops working (15 minutes).' },
    emailed: Type.Boolean({ description: 'Whether the link was emailed to the customer.' }),
    messageId: Type.Union([Type.String(), Type.Null()], {
      description: 'The email’s message id (GET /v1/outbox/{id} in development); null if not sent.',
    }),
  },
  { $id: 'PortalLink', title: 'PortalLink' },
);

export function toPortalLink(link: IssuedPortalLink) {
  return {
    url: link.url,
    expiresAt: iso(link.expiresAt),
    emailed: link.messageId !== undefined,
    messageId: link.messageId ?? null,
  };
}

export const LoginQuery = Type.Object({
  session: Type.Optional(
    Type.Literal('ended', { description: 'Set when a session ended: the page says so.' }),
  ),
});

export const LoginBody = Type.Object({
  email: Type.String({ maxLength: 320, description: 'The billing email address.' }),
});

export const LinkParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

// Optional: a link missing either part is refused like any other bad link (403), not a 400.
const linkFields = {
  expires: Type.Optional(
    Type.String({ maxLength: 20, description: 'Expiry of the link, Unix seconds.' }),
  ),
  signature: Type.Optional(
    Type.String({ maxLength: 100, description: 'HMAC-SHA256 of the link id and expiry.' }),
  ),
};
export const LinkQuery = Type.Object(linkFields);
export const LinkBody = Type.Object(linkFields);

const Field = (description: string) => Type.Optional(Type.String({ maxLength: 400, description }));

// Every portal form carries its token: a post without one is refused as malformed (400) before
// the session is looked at, so a stray or forged post never reaches the sign-in redirect.
const CsrfToken = (description: string) =>
  Type.String({ minLength: 1, maxLength: 400, description });

export const CsrfBody = Type.Object({
  csrfToken: CsrfToken('The session’s form token (in every form of the portal).'),
});

export const BillingDetailsForm = Type.Object({
  csrfToken: CsrfToken('The session’s form token.'),
  name: Field('Name or company.'),
  email: Field('Billing email address.'),
  'address.line1': Field('Street and number; empty clears it.'),
  'address.line2': Field('Building, floor, suite; empty clears it.'),
  'address.postalCode': Field('Postal code; empty clears it.'),
  'address.city': Field('City; empty clears it.'),
  'address.region': Field('State or region code; empty clears it.'),
  country: Field('ISO 3166-1 alpha-2 country code.'),
  vatNumber: Field('VAT number; empty clears it.'),
  locale: Field('BCP 47 language tag of the customer’s documents.'),
});

export const DocumentParams = LinkParams;

export const portalPage = (description: string) => htmlRefusal(description);

/** A 400 either way: the form again naming the field, or a body that fails the route's schema. */
export const formOrSchemaRefusal = {
  description:
    'A field is malformed (the API’s customer schemas): the form again, naming it; or a body ' +
    'that fails this route’s own schema: a problem naming the field.',
  content: {
    ...htmlRefusal('').content,
    ...problemResponse('').content,
  },
};

export const portalNotConfigured = problemResponse(
  'The portal is not configured: set BILLWRIGHT_SIGNING_SECRET (npm start creates one).',
);
