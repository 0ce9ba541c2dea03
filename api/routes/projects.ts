// Projects: a row and a durable workflow each (project-<id>). POST creates both in one
// transaction; completing, approving and rejecting milestones and change orders are workflow
// updates whose validators refuse what the project's state does not allow (unknown milestone
// 404, already completed or out of order 409, a change order that overprices the contract 422);
// time entries are rows, recorded against the budget and invoiced by the workflow.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  QueryNotRegisteredError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import { Type, type Static } from 'typebox';
import { newId } from '../../db/ids.ts';
import { getCustomer, taxCustomerOf } from '../../db/repositories/customers.ts';
import { validateTaxCustomer } from '../../domain/tax/validation.ts';
import {
  budgetUsed,
  deleteTimeEntry,
  insertProject,
  insertTimeEntry,
  listChangeOrders,
  listMilestones,
  listProjectEvents,
  listProjects,
  listTimeEntries,
  ProjectNotFoundError,
  requireProject,
  TimeEntryRefusedError,
  type ProjectRow,
  type TimeEntryRow,
} from '../../db/repositories/projects.ts';
import { testClockRefOf } from '../../db/repositories/test-clocks.ts';
import {
  hoursAmount,
  minutesOf,
  priceProject,
  ProjectTermsError,
  roundMinutes,
  type ChangeOrder,
  type MilestoneTerms,
  type ProjectTerms,
} from '../../domain/projects.ts';
import { projectStartOptions } from '../../temporal/project-start.ts';
import type { projectWorkflow } from '../../workflows/project.ts';
import {
  approveMilestoneUpdate,
  budgetWarningSignal,
  changeOrderUpdate,
  completeMilestoneUpdate,
  initialProjectState,
  projectStateQuery,
  rejectMilestoneUpdate,
  type ProjectState,
  type ProjectWorkflowInput,
} from '../../workflows/project-messages.ts';
import { withTemporalDeadline } from '../plugins/temporal.ts';
import { conflict, notFound, serviceUnavailable, unprocessable } from '../problem.ts';
import {
  DEFAULT_LIMIT,
  described,
  iso,
  Limit,
  ListOf,
  Money,
  NullableTimestamp,
  pageAfter,
  PageQuery,
  problemResponse,
  StartingAfter,
  Timestamp,
} from '../schemas/common.ts';
import { projectWorkflowId } from '../../workflow-contracts/ids.ts';
import { projectUpdateProblem } from '../update-problems.ts';

const MinorUnits = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Percent = Type.String({
  pattern: '^[0-9]{1,3}(\\.[0-9]{1,4})?$',
  description: 'Percent as a decimal string, e.g. "15" or "2.5".',
});
const Key = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
  description: 'Stable key, e.g. "design".',
});
const Reason = Type.String({ minLength: 1, maxLength: 1000 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const MilestoneBody = Type.Object(
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

const HoursBody = Type.Object(
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

const CreateProjectBody = Type.Object(
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

const TimeEntryBody = Type.Object(
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

const ChangeOrderBody = Type.Object(
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

const ProjectParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const MilestoneParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    key: Type.String({ minLength: 1, maxLength: 63 }),
  },
  { additionalProperties: false },
);
const EntryParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    entryId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

const MilestoneSchema = Type.Object({
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

const ProjectSchema = Type.Object(
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

const TimeEntrySchema = Type.Object(
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

const TimeEntryCreatedSchema = Type.Object({
  entry: TimeEntrySchema,
  budget: Nullable(
    Type.Object({
      amount: Money,
      used: Money,
      warning: Type.Boolean({ description: 'Used is at or past the warning threshold.' }),
    }),
  ),
});

const EventSchema = Type.Object({
  id: Type.String({ description: 'A sequence number (the cursor of this list).' }),
  kind: Type.String({
    examples: ['milestone_completed', 'milestone_rejected', 'milestone_invoiced'],
  }),
  milestoneKey: Nullable(Type.String()),
  actor: Type.String(),
  reason: Nullable(Type.String()),
  occurredAt: Timestamp,
});

const ChangeOrderSchema = Type.Object({
  version: Type.Integer(),
  change: Type.Unknown(),
  contractValueBefore: Money,
  contractValueAfter: Money,
  actor: Type.String(),
  reason: Nullable(Type.String()),
  occurredAt: Timestamp,
});

type MilestoneInput = Static<typeof MilestoneBody>;

function priceOf(
  body: { amount?: number | undefined; percent?: string | undefined; balance?: true | undefined },
  field: string,
): MilestoneTerms['price'] {
  const given = [body.amount !== undefined, body.percent !== undefined, body.balance === true];
  if (given.filter(Boolean).length !== 1) {
    throw unprocessable(`${field}.amount`, 'give exactly one of amount, percent or balance');
  }
  if (body.amount !== undefined) return { amount: body.amount };
  if (body.percent !== undefined) return { percent: body.percent };
  return { balance: true };
}

function milestoneTerms(m: MilestoneInput, field: string): MilestoneTerms {
  return {
    key: m.key,
    name: m.name,
    price: priceOf(m, field),
    requiresApproval: m.requiresApproval ?? false,
    ...(m.dueDate !== undefined && { dueDate: m.dueDate }),
    ...(m.autoApproveAfterDays !== undefined && { autoApproveAfterDays: m.autoApproveAfterDays }),
  };
}

function termsProblem(error: unknown): unknown {
  return error instanceof ProjectTermsError
    ? unprocessable(error.field, error.message.replace(/^[^:]*: /, ''))
    : error;
}

function toTimeEntry(row: TimeEntryRow, currency: string) {
  return {
    id: row.id,
    projectId: row.project_id,
    person: row.person,
    role: row.role,
    date: row.work_date,
    minutes: row.minutes,
    billedMinutes: row.billed_minutes,
    hourlyRate: { amount: row.hourly_rate, currency },
    amount: { amount: row.amount, currency },
    description: row.description,
    billable: row.billable,
    invoiceId: row.invoice_id,
    createdAt: iso(row.created_at),
  };
}

const projects: FastifyPluginCallbackTypebox = (app, _options, done) => {
  async function loadProject(id: string): Promise<ProjectRow> {
    try {
      return await requireProject(app.db, id);
    } catch (error) {
      if (error instanceof ProjectNotFoundError) throw notFound(error.message);
      throw error;
    }
  }

  function handle(id: string): WorkflowHandle<typeof projectWorkflow> {
    return app.temporal.workflow.getHandle<typeof projectWorkflow>(projectWorkflowId(id));
  }

  function depositOf(state: ProjectState | undefined, terms: ProjectTerms) {
    const amount = state ? state.deposit : priceProject(terms).deposit;
    return amount > 0 ? { amount, currency: terms.currency } : null;
  }

  /** The project as the workflow sees it, or as stored once the workflow is gone. */
  async function present(row: ProjectRow, live?: ProjectState) {
    const terms = row.terms as ProjectTerms;
    let state = live;
    if (!state) {
      try {
        state = await withTemporalDeadline(app, () => handle(row.id).query(projectStateQuery));
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError || error instanceof QueryNotRegisteredError)) {
          throw projectUpdateProblem(error) ?? error;
        }
      }
    }
    const money = (amount: number) => ({ amount, currency: row.currency });
    const used = await budgetUsed(app.db, row.id);
    const budget = terms.hours?.budget;
    const stored = await listMilestones(app.db, row.id);
    const termsNow = state?.terms ?? terms;
    const milestones = state
      ? state.milestones
      : stored.map((m) => ({
          key: m.key,
          name: m.name,
          amount: m.amount,
          status: m.status,
          completedAt: null,
          approvalRequestedAt: null,
          autoApproveAt: null,
          approvedAt: null,
          approvedBy: null,
          rejections: [],
          retained: 0,
          invoiceId: m.invoice_id,
          invoiceNumber: null,
        }));
    return {
      id: row.id,
      customerId: row.customer_id,
      name: row.name,
      currency: row.currency,
      status: state?.status ?? row.status,
      version: state?.version ?? row.version,
      contractValue: money(termsNow.contractValue),
      deposit: depositOf(state, terms),
      retainagePercent: termsNow.retainagePercent ?? null,
      retainageHeld: money(state?.retainageHeld ?? 0),
      retainageReleased: state?.retainageReleased ?? row.status === 'completed',
      milestones: milestones.map((m) => {
        const t = termsNow.milestones.find((x) => x.key === m.key);
        return {
          key: m.key,
          name: m.name,
          amount: money(m.amount),
          status: m.status,
          dueDate: t?.dueDate ?? null,
          requiresApproval: t?.requiresApproval ?? false,
          completedAt: m.completedAt,
          approvalRequestedAt: m.approvalRequestedAt,
          autoApproveAt: m.autoApproveAt,
          approvedAt: m.approvedAt,
          approvedBy: m.approvedBy,
          rejections: m.rejections,
          retained: money(m.retained),
          invoiceId: m.invoiceId,
          invoiceNumber: m.invoiceNumber,
        };
      }),
      invoices: (state?.invoices ?? []).map((i) => ({ ...i, total: money(i.total) })),
      budget: budget
        ? {
            amount: money(budget.amount),
            used: money(used),
            warnAtPercent: budget.warnAtPercent,
            hardStop: budget.hardStop,
          }
        : null,
      nextHoursInvoiceAt: state?.nextHoursInvoiceAt ?? null,
      createdAt: iso(row.created_at),
      completedAt: state?.completedAt ?? (row.completed_at ? iso(row.completed_at) : null),
    };
  }

  async function update(
    id: string,
    send: (h: WorkflowHandle<typeof projectWorkflow>) => Promise<ProjectState>,
  ) {
    const row = await loadProject(id);
    let state: ProjectState;
    try {
      state = await withTemporalDeadline(app, () => send(handle(id)));
    } catch (error) {
      throw projectUpdateProblem(error) ?? error;
    }
    return present(row, state);
  }

  const updateResponses = (what: string) => ({
    200: described(ProjectSchema, `The project after the ${what}.`),
    404: problemResponse('No project has this id, or it has no such milestone.'),
    409: problemResponse(
      'The milestone’s state does not allow it (already completed, out of order, not awaiting approval) or the project is completed.',
    ),
    422: problemResponse('A field the request cannot take.'),
    503: problemResponse('Temporal is unavailable or did not answer in time.'),
  });

  app.post(
    '/projects',
    {
      schema: {
        tags: ['Projects'],
        summary: 'Create a project',
        description:
          'Creates the project and starts its workflow (project-<id>) in one transaction: the deposit is invoiced at ' +
          'once, then each milestone when completed (and approved, when required). Percentages, amounts and the ' +
          'deposit together never exceed the contract (422 naming the field).',
        body: CreateProjectBody,
        response: {
          201: described(ProjectSchema, 'The project.'),
          422: problemResponse(
            'Unknown customer, another currency, or terms that exceed the contract.',
          ),
          503: problemResponse('Temporal is unavailable; nothing was created.'),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const customer = await getCustomer(app.db, body.customerId);
      if (!customer)
        throw unprocessable('customerId', `customer ${body.customerId} does not exist`);
      if (customer.currency !== body.currency) {
        throw unprocessable(
          'currency',
          `customer ${customer.id} is billed in ${customer.currency}`,
        );
      }
      // Every invoice of the project is taxed for this customer: clean data now, not at the deposit.
      const taxIssues = validateTaxCustomer(taxCustomerOf(customer), app.tax.seller);
      if (taxIssues.length > 0) {
        throw unprocessable(
          'customerId',
          `customer ${customer.id} cannot be taxed: ${taxIssues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
        );
      }
      const hours = body.hours;
      const terms: ProjectTerms = {
        contractValue: body.contractValue,
        currency: body.currency,
        milestones: body.milestones.map((m, i) => milestoneTerms(m, `milestones[${i}]`)),
        sequential: body.sequential ?? true,
        ...(body.deposit && { deposit: body.deposit }),
        ...(body.retainagePercent !== undefined && { retainagePercent: body.retainagePercent }),
        ...(hours && {
          hours: {
            roundingMinutes: hours.roundingMinutes ?? 1,
            rateCard: hours.rateCard ?? {},
            invoicing: hours.invoicing ?? 'monthly',
            lines: hours.lines ?? 'per_person',
            ...(hours.budget && {
              budget: {
                amount: hours.budget.amount,
                warnAtPercent: hours.budget.warnAtPercent ?? 80,
                hardStop: hours.budget.hardStop ?? false,
              },
            }),
          },
        }),
      };
      let priced;
      try {
        priced = priceProject(terms);
      } catch (error) {
        throw termsProblem(error);
      }
      const id = newId('prj');
      const testClock = await testClockRefOf(app.db, customer.test_clock_id);
      const input: ProjectWorkflowInput = {
        projectId: id,
        customerId: customer.id,
        timezone: customer.timezone,
        terms,
        ...(testClock && { testClock }),
      };
      const row = await app.db.transaction().execute(async (trx) => {
        const inserted = await insertProject(trx, {
          id,
          customerId: customer.id,
          name: body.name,
          terms,
          milestones: terms.milestones.map((m, i) => ({
            key: m.key,
            name: m.name,
            amount: priced.milestones[i]!.amount,
          })),
        });
        try {
          await withTemporalDeadline(app, () =>
            app.temporal.workflow.start<typeof projectWorkflow>(
              'projectWorkflow',
              projectStartOptions(input),
            ),
          );
        } catch (error) {
          throw serviceUnavailable(
            'Could not start the project’s workflow; nothing was created. Retry later.',
            error,
          );
        }
        return inserted;
      });
      return reply.code(201).send(
        await present(
          row,
          // The workflow starts at the clock's time on a clocked customer, so does its state.
          initialProjectState(input, input.testClock?.now ?? new Date().toISOString()),
        ),
      );
    },
  );

  app.get(
    '/projects',
    {
      schema: {
        tags: ['Projects'],
        summary: 'List projects',
        description:
          'Projects, newest first, optionally of one customer (as stored; GET one for its live state).',
        querystring: Type.Object(
          {
            customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            limit: Limit,
            startingAfter: Type.Optional(StartingAfter),
          },
          { additionalProperties: false },
        ),
        response: {
          200: ListOf(
            Type.Object({
              id: Type.String(),
              customerId: Type.String(),
              name: Type.String(),
              status: Type.String(),
              contractValue: Money,
              version: Type.Integer(),
              createdAt: Timestamp,
            }),
            'A page of projects.',
          ),
        },
      },
    },
    async (request) => {
      const { customerId, limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const rows = await listProjects(app.db, { customerId, startingAfter, limit: limit + 1 });
      return {
        data: rows.slice(0, limit).map((r) => ({
          id: r.id,
          customerId: r.customer_id,
          name: r.name,
          status: r.status,
          contractValue: { amount: r.contract_value, currency: r.currency },
          version: r.version,
          createdAt: iso(r.created_at),
        })),
        hasMore: rows.length > limit,
      };
    },
  );

  app.get(
    '/projects/:id',
    {
      schema: {
        tags: ['Projects'],
        summary: 'Get a project',
        description:
          'The project with its workflow’s live state: milestones, approvals, invoices, retainage and budget.',
        params: ProjectParams,
        response: {
          200: described(ProjectSchema, 'The project.'),
          404: problemResponse('No project has this id.'),
        },
      },
    },
    async (request) => present(await loadProject(request.params.id)),
  );

  app.get(
    '/projects/:id/events',
    {
      schema: {
        tags: ['Projects'],
        summary: 'A project’s audit trail',
        description:
          'Every completion, approval (by whom: operator, customer link or auto-approval), rejection with its reason, invoice, reminder and the completion, in order.',
        params: ProjectParams,
        querystring: PageQuery,
        response: {
          200: ListOf(EventSchema, 'A page of events, oldest first.'),
          404: problemResponse('No project has this id.'),
        },
      },
    },
    async (request) => {
      await loadProject(request.params.id);
      const rows = await listProjectEvents(app.db, request.params.id);
      return pageAfter(
        rows,
        request.query,
        (e) => String(e.id),
        (e) => ({
          id: String(e.id),
          kind: e.kind,
          milestoneKey: e.milestone_key,
          actor: e.actor,
          reason: e.reason,
          occurredAt: iso(e.occurred_at),
        }),
      );
    },
  );

  app.get(
    '/projects/:id/change-orders',
    {
      schema: {
        tags: ['Projects'],
        summary: 'A project’s change orders',
        description:
          'Each change order with the project version it produced, the contract value before and after, who and why.',
        params: ProjectParams,
        querystring: PageQuery,
        response: {
          200: ListOf(
            ChangeOrderSchema,
            'A page of change orders, oldest first (cursor: a version).',
          ),
          404: problemResponse('No project has this id.'),
        },
      },
    },
    async (request) => {
      const row = await loadProject(request.params.id);
      const rows = await listChangeOrders(app.db, row.id);
      const money = (amount: number) => ({ amount, currency: row.currency });
      return pageAfter(
        rows,
        request.query,
        (c) => String(c.version),
        (c) => ({
          version: c.version,
          change: c.change,
          contractValueBefore: money(c.contract_value_before),
          contractValueAfter: money(c.contract_value_after),
          actor: c.actor,
          reason: c.reason,
          occurredAt: iso(c.occurred_at),
        }),
      );
    },
  );

  app.post(
    '/projects/:id/milestones/:key/complete',
    {
      schema: {
        tags: ['Projects'],
        summary: 'Complete a milestone',
        description:
          'Marks the milestone completed: it is invoiced at once, or first sent to the customer for approval when ' +
          'required. Unknown milestone 404; already completed, or out of order on a sequential project 409.',
        params: MilestoneParams,
        body: Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }),
        response: updateResponses('completion'),
      },
    },
    async (request) =>
      update(request.params.id, (h) =>
        h.executeUpdate(completeMilestoneUpdate, {
          args: [
            {
              key: request.params.key,
              actor: request.apiKey.id,
              ...(request.body?.reason && { reason: request.body.reason }),
            },
          ],
        }),
      ),
  );

  app.post(
    '/projects/:id/milestones/:key/approve',
    {
      schema: {
        tags: ['Projects'],
        summary: 'Record the customer’s approval',
        description:
          'The operator records that the customer approved the milestone (e.g. by phone); it is then invoiced. 409 unless awaiting approval.',
        params: MilestoneParams,
        body: Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false }),
        response: updateResponses('approval'),
      },
    },
    async (request) =>
      update(request.params.id, (h) =>
        h.executeUpdate(approveMilestoneUpdate, {
          args: [
            {
              key: request.params.key,
              actor: request.apiKey.id,
              ...(request.body?.reason && { reason: request.body.reason }),
            },
          ],
        }),
      ),
  );

  app.post(
    '/projects/:id/milestones/:key/reject',
    {
      schema: {
        tags: ['Projects'],
        summary: 'Record the customer’s rejection',
        description:
          'Sends the milestone back to pending with the reason (audited; the operator is told). 409 unless awaiting approval.',
        params: MilestoneParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: updateResponses('rejection'),
      },
    },
    async (request) =>
      update(request.params.id, (h) =>
        h.executeUpdate(rejectMilestoneUpdate, {
          args: [
            { key: request.params.key, actor: request.apiKey.id, reason: request.body.reason },
          ],
        }),
      ),
  );

  app.post(
    '/projects/:id/change-orders',
    {
      schema: {
        tags: ['Projects'],
        summary: 'Apply a change order',
        description:
          'Adds a milestone, re-prices one not yet completed, and/or changes the contract value; the project’s version ' +
          'goes up by one and the change is audited. 422 naming the field when the result would exceed the contract.',
        params: ProjectParams,
        body: ChangeOrderBody,
        response: updateResponses('change order'),
      },
    },
    async (request) => {
      const body = request.body;
      const change: ChangeOrder = {
        ...(body.contractValue !== undefined && { contractValue: body.contractValue }),
        ...(body.addMilestone && {
          addMilestone: milestoneTerms(body.addMilestone, 'addMilestone'),
        }),
        ...(body.reprice && {
          reprice: { key: body.reprice.key, price: priceOf(body.reprice, 'reprice') },
        }),
      };
      return update(request.params.id, (h) =>
        h.executeUpdate(changeOrderUpdate, {
          args: [{ change, actor: request.apiKey.id, ...(body.reason && { reason: body.reason }) }],
        }),
      );
    },
  );

  app.post(
    '/projects/:id/time-entries',
    {
      schema: {
        tags: ['Projects'],
        summary: 'Record time',
        description:
          'Records hours worked: rounded up to the project’s increment, priced at the rate given or the role’s rate ' +
          'card rate. Past a hard-stop budget: 422 on hours. The entry that crosses the warning threshold warns the operator.',
        params: ProjectParams,
        body: TimeEntryBody,
        response: {
          201: described(TimeEntryCreatedSchema, 'The entry and where the budget stands.'),
          404: problemResponse('No project has this id.'),
          409: problemResponse('The project is completed.'),
          422: problemResponse('Bad hours, no rate, or over the budget.'),
        },
      },
    },
    async (request, reply) => {
      const row = await loadProject(request.params.id);
      const hoursTerms = (row.terms as ProjectTerms).hours;
      if (!hoursTerms)
        throw unprocessable('hours', 'this project does not bill hours (no hours terms)');
      const body = request.body;
      let minutes: number;
      try {
        minutes = minutesOf(body.hours);
      } catch (error) {
        throw unprocessable('hours', (error as Error).message);
      }
      const rate =
        body.rate ?? (body.role !== undefined ? hoursTerms.rateCard[body.role] : undefined);
      if (rate === undefined) {
        throw unprocessable(
          body.role !== undefined ? 'role' : 'rate',
          body.role !== undefined
            ? `role ${body.role} is not on the rate card`
            : 'give a rate or a role of the rate card',
        );
      }
      const billedMinutes = roundMinutes(minutes, hoursTerms.roundingMinutes);
      const billable = body.billable ?? true;
      let recorded;
      try {
        recorded = await insertTimeEntry(
          app.db,
          row.id,
          {
            id: newId('te'),
            person: body.person,
            role: body.role ?? null,
            workDate: body.date,
            minutes,
            billedMinutes,
            hourlyRate: rate,
            amount: billable ? hoursAmount(billedMinutes, rate) : 0,
            description: body.description,
            billable,
          },
          hoursTerms.budget,
        );
      } catch (error) {
        if (error instanceof TimeEntryRefusedError) {
          throw error.status === 409
            ? conflict(error.message)
            : unprocessable(error.field, error.message);
        }
        throw error;
      }
      const budget = hoursTerms.budget;
      if (recorded.crossesWarning && budget) {
        // The workflow emails the operator once; the answer below says so whatever happens to the signal.
        await withTemporalDeadline(app, () =>
          handle(row.id).signal(budgetWarningSignal, {
            used: recorded.used,
            budget: budget.amount,
          }),
        ).catch((error: unknown) =>
          request.log.warn({ err: error }, 'budget warning not delivered'),
        );
      }
      const money = (amount: number) => ({ amount, currency: row.currency });
      return reply.code(201).send({
        entry: toTimeEntry(recorded.entry, row.currency),
        budget: budget
          ? {
              amount: money(budget.amount),
              used: money(recorded.used),
              warning: recorded.used * 100 >= budget.amount * budget.warnAtPercent,
            }
          : null,
      });
    },
  );

  app.get(
    '/projects/:id/time-entries',
    {
      schema: {
        tags: ['Projects'],
        summary: 'List time entries',
        description: 'Every entry of the project by day worked, with the invoice that billed it.',
        params: ProjectParams,
        querystring: PageQuery,
        response: {
          200: ListOf(TimeEntrySchema, 'A page of entries, by day worked.'),
          404: problemResponse('No project has this id.'),
        },
      },
    },
    async (request) => {
      const row = await loadProject(request.params.id);
      const rows = await listTimeEntries(app.db, row.id);
      return pageAfter(
        rows,
        request.query,
        (r) => r.id,
        (r) => toTimeEntry(r, row.currency),
      );
    },
  );

  app.delete(
    '/projects/:id/time-entries/:entryId',
    {
      schema: {
        tags: ['Projects'],
        summary: 'Delete a time entry',
        description:
          'Deletes an entry not yet invoiced. An invoiced entry never changes: 409 (issue a credit note on its invoice).',
        params: EntryParams,
        response: {
          204: Type.Null({ description: 'Deleted.' }),
          404: problemResponse('No project has this id.'),
          409: problemResponse('The entry is invoiced.'),
          422: problemResponse('No such entry on this project.'),
        },
      },
    },
    async (request, reply) => {
      await loadProject(request.params.id);
      try {
        await deleteTimeEntry(app.db, request.params.id, request.params.entryId);
      } catch (error) {
        if (error instanceof TimeEntryRefusedError) {
          throw error.status === 409
            ? conflict(error.message)
            : unprocessable(error.field, error.message);
        }
        throw error;
      }
      return reply.code(204).send(null);
    },
  );

  done();
};

export default projects;
