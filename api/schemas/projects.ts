// The request and response schemas of /projects: what a project, a milestone, a change order and
// a time entry look like on the wire.
import { Type } from 'typebox';
import {
  described,
  Limit,
  ListOf,
  Money,
  NullableTimestamp,
  problemResponse,
  Reason,
  StartingAfter,
  Timestamp,
} from './common.ts';

export const MinorUnits = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const Percent = Type.String({
  pattern: '^[0-9]{1,3}(\\.[0-9]{1,4})?$',
  description: 'Percent as a decimal string, e.g. "15" or "2.5".',
});
export const Key = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
  description: 'Stable key, e.g. "design".',
});
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const MilestoneBody = Type.Object(
  {
    key: Key,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    amount: Type.Optional(described(MinorUnits, 'A fixed price, in minor units.')),
    percent: Type.Optional(described(Percent, 'A percentage of the contract value.')),
    balance: Type.Optional(
      Type.Literal(true, { description: 'What is left of the contract (one milestone at most).' }),
    ),
    dueDate: Type.Optional(
      Type.String({
        format: 'date',
        description: 'YYYY-MM-DD; the operator is reminded once it passes.',
      }),
    ),
    requiresApproval: Type.Optional(Type.Boolean({ default: false })),
    autoApproveAfterDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 365,
        description:
          'Approved automatically this many days after the request (stated in the email).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const HoursBody = Type.Object(
  {
    roundingMinutes: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 60,
        default: 1,
        description: 'Each entry rounded up to this increment.',
      }),
    ),
    rateCard: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 64 }), MinorUnits, {
        description: 'Hourly rate per role, in minor units.',
      }),
    ),
    invoicing: Type.Optional(
      Type.Union([Type.Literal('monthly'), Type.Literal('with_milestone')], {
        description:
          'monthly (default): uninvoiced hours in arrears at each month start in the customer’s zone; with_milestone: on the next milestone invoice.',
      }),
    ),
    lines: Type.Optional(
      Type.Union([Type.Literal('per_person'), Type.Literal('per_entry')], {
        description: 'One invoice line per person and rate (default), or per entry.',
      }),
    ),
    budget: Type.Optional(
      Type.Object(
        {
          amount: described(MinorUnits, 'Not-to-exceed amount of billable hours.'),
          warnAtPercent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 80 })),
          hardStop: Type.Optional(
            Type.Boolean({ default: false, description: 'Refuse entries past the budget (422).' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CreateProjectBody = Type.Object(
  {
    customerId: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'The customer’s currency.' }),
    contractValue: described(MinorUnits, 'The contract value, in minor units.'),
    deposit: Type.Optional(
      Type.Union(
        [
          Type.Object({ amount: MinorUnits }, { additionalProperties: false }),
          Type.Object({ percent: Percent }, { additionalProperties: false }),
        ],
        {
          description:
            'Invoiced when the project starts: an amount or a percentage of the contract.',
        },
      ),
    ),
    milestones: Type.Array(MilestoneBody, { minItems: 1, maxItems: 100 }),
    retainagePercent: Type.Optional(
      described(
        Percent,
        'Held back from each milestone invoice, released when the project completes.',
      ),
    ),
    sequential: Type.Optional(
      Type.Boolean({ default: true, description: 'Milestones must be completed in order.' }),
    ),
    hours: Type.Optional(HoursBody),
  },
  { additionalProperties: false },
);

export const TimeEntryBody = Type.Object(
  {
    person: Type.String({ minLength: 1, maxLength: 200 }),
    date: Type.String({ format: 'date', description: 'The day worked, YYYY-MM-DD.' }),
    hours: Type.Union(
      [Type.Number({ exclusiveMinimum: 0, maximum: 24 }), Type.String({ maxLength: 10 })],
      {
        description: 'Hours worked, e.g. 1.5 or "0.75" (whole minutes).',
      },
    ),
    rate: Type.Optional(
      described(
        Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        'Hourly rate in minor units.',
      ),
    ),
    role: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'A role of the rate card.' }),
    ),
    description: Type.String({ minLength: 1, maxLength: 1000 }),
    billable: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const ChangeOrderBody = Type.Object(
  {
    contractValue: Type.Optional(MinorUnits),
    addMilestone: Type.Optional(MilestoneBody),
    reprice: Type.Optional(
      Type.Object(
        {
          key: Key,
          amount: Type.Optional(MinorUnits),
          percent: Type.Optional(Percent),
          balance: Type.Optional(Type.Literal(true)),
        },
        { additionalProperties: false },
      ),
    ),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
);

export const ProjectParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export const MilestoneParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    key: Type.String({ minLength: 1, maxLength: 63 }),
  },
  { additionalProperties: false },
);
export const EntryParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    entryId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

export const MilestoneSchema = Type.Object({
  key: Type.String(),
  name: Type.String(),
  amount: described(Money, 'As priced now, before retainage.'),
  status: Type.Union(
    [
      Type.Literal('pending'),
      Type.Literal('awaiting_approval'),
      Type.Literal('approved'),
      Type.Literal('invoiced'),
    ],
    { description: 'pending → awaiting_approval (when required) → approved → invoiced.' },
  ),
  dueDate: Nullable(Type.String()),
  requiresApproval: Type.Boolean(),
  completedAt: NullableTimestamp,
  approvalRequestedAt: NullableTimestamp,
  autoApproveAt: NullableTimestamp,
  approvedAt: NullableTimestamp,
  approvedBy: Nullable(Type.String()),
  rejections: Type.Array(
    Type.Object({ reason: Type.String(), actor: Type.String(), at: Timestamp }),
  ),
  retained: described(Money, 'Held back from its invoice until the project completes.'),
  invoiceId: Nullable(Type.String()),
  invoiceNumber: Nullable(Type.String()),
});

export const ProjectSchema = Type.Object(
  {
    id: Type.String({ examples: ['prj_abcdefghijklmnopqrst'] }),
    customerId: Type.String(),
    name: Type.String(),
    currency: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('completed')]),
    version: Type.Integer({ description: '1, then one more per change order.' }),
    contractValue: Money,
    deposit: Nullable(Money),
    retainagePercent: Nullable(Type.String()),
    retainageHeld: Money,
    retainageReleased: Type.Boolean(),
    milestones: Type.Array(MilestoneSchema),
    invoices: Type.Array(
      Type.Object({
        billingKey: Type.String({
          examples: ['deposit', 'milestone/design', 'hours/2027-01', 'retainage'],
        }),
        invoiceId: Type.String(),
        number: Type.String(),
        total: Money,
      }),
    ),
    budget: Nullable(
      Type.Object({
        amount: Money,
        used: described(Money, 'Billable hours recorded so far.'),
        warnAtPercent: Type.Integer(),
        hardStop: Type.Boolean(),
      }),
    ),
    nextHoursInvoiceAt: NullableTimestamp,
    createdAt: Timestamp,
    completedAt: NullableTimestamp,
  },
  { $id: 'Project', title: 'Project' },
);

export const TimeEntrySchema = Type.Object(
  {
    id: Type.String({ examples: ['te_abcdefghijklmnopqrst'] }),
    projectId: Type.String(),
    person: Type.String(),
    role: Nullable(Type.String()),
    date: Type.String(),
    minutes: Type.Integer({ description: 'As recorded.' }),
    billedMinutes: Type.Integer({ description: 'Rounded up to the project’s increment.' }),
    hourlyRate: Money,
    amount: described(Money, 'billedMinutes / 60 × hourlyRate, rounded once.'),
    description: Type.String(),
    billable: Type.Boolean(),
    invoiceId: Nullable(Type.String({ description: 'Set once invoiced: never invoiced twice.' })),
    createdAt: Timestamp,
  },
  { $id: 'TimeEntry', title: 'TimeEntry' },
);

export const TimeEntryCreatedSchema = Type.Object({
  entry: TimeEntrySchema,
  budget: Nullable(
    Type.Object({
      amount: Money,
      used: Money,
      warning: Type.Boolean({ description: 'Used is at or past the warning threshold.' }),
    }),
  ),
});

export const EventSchema = Type.Object({
  id: Type.String({ description: 'A sequence number (the cursor of this list).' }),
  kind: Type.String({
    examples: ['milestone_completed', 'milestone_rejected', 'milestone_invoiced'],
  }),
  milestoneKey: Nullable(Type.String()),
  actor: Type.String(),
  reason: Nullable(Type.String()),
  occurredAt: Timestamp,
});

export const ChangeOrderSchema = Type.Object({
  version: Type.Integer(),
  change: Type.Unknown(),
  contractValueBefore: Money,
  contractValueAfter: Money,
  actor: Type.String(),
  reason: Nullable(Type.String()),
  occurredAt: Timestamp,
});

export const ProjectSummarySchema = Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  name: Type.String(),
  status: Type.String(),
  contractValue: Money,
  version: Type.Integer(),
  createdAt: Timestamp,
});

export const ProjectListSchema = ListOf(ProjectSummarySchema, 'A page of projects.');

/** What a workflow update on a project answers. */
export const updateResponses = (what: string) => ({
  200: described(ProjectSchema, `The project after the ${what}.`),
  404: problemResponse('No project has this id, or it has no such milestone.'),
  409: problemResponse(
    'The milestone’s state does not allow it (already completed, out of order, not awaiting approval) or the project is completed.',
  ),
  422: problemResponse('A field the request cannot take.'),
  503: problemResponse('Temporal is unavailable or did not answer in time.'),
});

export const MilestoneActionBody = Type.Object(
  { reason: Type.Optional(Reason) },
  { additionalProperties: false },
);
export const RejectionBody = Type.Object({ reason: Reason }, { additionalProperties: false });

export const ListProjectsQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

export const timeEntryCreatedResponses = {
  201: described(TimeEntryCreatedSchema, 'The entry and where the budget stands.'),
  404: problemResponse('No project has this id.'),
  409: problemResponse('The project is completed.'),
  422: problemResponse('Bad hours, no rate, or over the budget.'),
};

export const timeEntryDeletedResponses = {
  204: Type.Null({ description: 'Deleted.' }),
  404: problemResponse('No project has this id.'),
  409: problemResponse('The entry is invoiced.'),
  422: problemResponse('No such entry on this project.'),
};
