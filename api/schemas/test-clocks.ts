// The test clock routes' request and response shapes, and how a clock is shown.
import { Type } from 'typebox';
import type { TestClock } from '../../db/database.ts';
import { described, iso, NullableTimestamp, Timestamp } from './common.ts';

export const TestClockSchema = Type.Object(
  {
    id: Type.String({ examples: ['clock_abcdefghijklmnopqrst'] }),
    name: Type.Union([Type.String(), Type.Null()]),
    frozenTime: described(Timestamp, 'The time the clock reads: its customers’ "now".'),
    status: Type.Enum(['ready', 'advancing', 'deleting'], {
      description:
        'ready: time stands still at frozenTime. advancing: the billing between frozenTime and ' +
        'advancingTo is being run, in time order, frozenTime moving to each step as the walk ' +
        'reaches it; the clock reads ready at advancingTo when done.',
    }),
    advancingTo: NullableTimestamp,
    createdAt: Timestamp,
  },
  { $id: 'TestClock', title: 'TestClock' },
);

const Instant = Type.String({
  format: 'date-time',
  description: 'An ISO 8601 instant with a UTC offset.',
  examples: ['2027-01-01T09:00:00+01:00'],
});

export const CreateTestClockBody = Type.Object(
  {
    frozenTime: Instant,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export const AdvanceTestClockBody = Type.Object(
  { frozenTime: described(Instant, 'The new time: later than the clock’s.') },
  { additionalProperties: false },
);

export function toTestClock(row: TestClock) {
  return {
    id: row.id,
    name: row.name,
    frozenTime: iso(row.frozen_time),
    status: row.status,
    advancingTo: row.advancing_to ? iso(row.advancing_to) : null,
    createdAt: iso(row.created_at),
  };
}

export const DeletedTestClockSchema = described(
  Type.Object({
    id: Type.String(),
    deleted: Type.Literal(true),
    customersDeleted: Type.Integer(),
  }),
  'The clock is gone.',
);
