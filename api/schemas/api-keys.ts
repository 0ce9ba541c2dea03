// The API key routes' request and response shapes, and how a key is shown (never its secret).
import { Type } from 'typebox';
import { API_SCOPES, type ApiKeyRecord } from '../../db/repositories/api-keys.ts';
import { DEFAULT_ROTATION_OVERLAP_HOURS } from '../../services/api-keys.ts';
import { described, iso, NullableTimestamp, Timestamp } from './common.ts';

const Scope = Type.Enum([...API_SCOPES], {
  description:
    'read: GET requests. write: other changes. admin: keys, audit, test clocks, deletes.',
});

export const ApiKeySchema = Type.Object(
  {
    id: Type.String({ examples: ['key_abcdefghijklmnopqrst'] }),
    name: Type.String(),
    scopes: Type.Array(Scope),
    createdBy: Type.Union([Type.String(), Type.Null()], {
      description: 'The key that created it.',
    }),
    createdAt: Timestamp,
    rotatedAt: NullableTimestamp,
    previousSecretExpiresAt: described(
      NullableTimestamp,
      'Until when the secret before the last rotation still works.',
    ),
    revokedAt: NullableTimestamp,
  },
  { $id: 'ApiKey', title: 'ApiKey' },
);

export const ApiKeyWithSecret = Type.Object(
  {
    key: Type.String({ description: 'The secret: shown this once, never again.' }),
    apiKey: Type.Ref('ApiKey'),
  },
  { description: 'The key and its secret.' },
);

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(Scope, { minItems: 1, maxItems: 3, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const RotateApiKeyBody = Type.Object(
  {
    overlapHours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 720,
        default: DEFAULT_ROTATION_OVERLAP_HOURS,
        description: 'How long the old secret keeps working, 0–720 hours (0: it stops at once).',
      }),
    ),
  },
  { additionalProperties: false },
);

export function toApiKey(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    scopes: record.scopes,
    createdBy: record.createdBy,
    createdAt: iso(record.createdAt),
    rotatedAt: iso(record.rotatedAt),
    previousSecretExpiresAt: iso(record.previousSecretExpiresAt),
    revokedAt: iso(record.revokedAt),
  };
}
