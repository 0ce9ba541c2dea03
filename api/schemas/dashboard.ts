// The finance dashboard's requests and responses as the OpenAPI document shows them: browser
// pages (HTML), form posts answered by See Other, and the page's query (the insights' filters).
import { Type } from 'typebox';
import { HtmlDocument, problemResponse } from './common.ts';

const Month = Type.String({
  pattern: '^([0-9]{4}-(0[1-9]|1[0-2]))?$',
  description: 'YYYY-MM (UTC); empty for the default.',
});

export const DashboardQuery = Type.Object(
  {
    currency: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{3}$',
        description: 'ISO 4217; default the currency most customers are billed in.',
      }),
    ),
    from: Type.Optional(Month),
    to: Type.Optional(Month),
    asOf: Type.Optional(
      Type.Union([
        Type.String({
          format: 'date-time',
          description: 'The instant the figures are as of; default now.',
        }),
        Type.Literal('', { description: 'Empty: now.' }),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const SignInQuery = Type.Object({
  session: Type.Optional(
    Type.Literal('ended', { description: 'Set when a session ended: the page says so.' }),
  ),
});

export const SignInBody = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) });

export const AssetParams = Type.Object(
  { name: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

export const AssetResponse = {
  description: 'The file.',
  content: {
    'text/javascript': { schema: Type.String() },
    'text/css': { schema: Type.String() },
  },
};

/** A See Other, without a body, to the page to show next; it may set or delete the cookie. */
export function redirectResponse(description: string) {
  return {
    description,
    type: 'null',
    headers: {
      location: { type: 'string', description: 'The page to show next.' },
      'set-cookie': { type: 'string', description: 'The session cookie, set or deleted.' },
    },
  };
}

/** The sign-in page again, saying why the key was refused. */
export function htmlRefusal(description: string) {
  return { ...HtmlDocument, description };
}

export const notConfigured = problemResponse(
  'The dashboard is not configured: set BILLWRIGHT_SIGNING_SECRET (npm start creates one).',
);
