// Projects: a row and a durable workflow each (project-<id>). POST creates both in one
// transaction; completing, approving and rejecting milestones and change orders are workflow
// updates whose validators refuse what the project's state does not allow (unknown milestone
// 404, already completed or out of order 409, a change order that overprices the contract 422).
// Time entries are in project-time-entries.ts. The use cases are in services/projects.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  applyChangeOrder,
  approveMilestone,
  completeMilestone,
  createProject,
  findProjects,
  getProject,
  projectChangeOrders,
  projectEvents,
  rejectMilestone,
  type MilestoneAction,
  type ProjectSnapshot,
} from '../../services/projects.ts';
import {
  changeOrderPage,
  projectEventPage,
  projectSummaryView,
  projectView,
} from '../schemas/project-views.ts';
import {
  pageOf,
  PageQuery,
  DEFAULT_LIMIT,
  described,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import {
  ChangeOrderBody,
  ChangeOrderSchema,
  CreateProjectBody,
  EventSchema,
  ListProjectsQuery,
  MilestoneActionBody,
  MilestoneParams,
  ProjectListSchema,
  ProjectParams,
  ProjectSchema,
  RejectionBody,
  updateResponses,
} from '../schemas/projects.ts';
import { answeringRefusals, answeringUpdates, askedBy, serviceDependencies } from '../services.ts';
import { PROJECT_WORKFLOW } from '../temporal-problem.ts';

/** The project after a use case on its workflow; its refusal, or Temporal's, as the problem. */
async function answerProject(call: () => Promise<ProjectSnapshot>) {
  return projectView(await answeringUpdates(PROJECT_WORKFLOW, call));
}

function milestoneAction(request: {
  params: { id: string; key: string };
  apiKey: { id: string };
  body?: { reason?: string | undefined } | undefined;
}): MilestoneAction {
  const { params, apiKey, body } = request;
  return { projectId: params.id, key: params.key, actor: apiKey.id, reason: body?.reason };
}

const projects: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const deps = () => serviceDependencies(app);

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
      const snapshot = await answeringRefusals(() =>
        createProject({ ...deps(), seller: app.tax.seller }, request.body),
      );
      return reply.code(201).send(projectView(snapshot));
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
        querystring: ListProjectsQuery,
        response: { 200: ProjectListSchema },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, ...filter } = request.query;
      const page = await findProjects(app.db, { ...filter, limit });
      return pageOf(page, projectSummaryView);
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
    async (request) => answerProject(() => getProject(deps(), request.params.id)),
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
      const events = await answeringRefusals(() => projectEvents(app.db, request.params.id));
      return projectEventPage(events, request.query);
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
      const found = await answeringRefusals(() => projectChangeOrders(app.db, request.params.id));
      return changeOrderPage(found, request.query);
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
        body: MilestoneActionBody,
        response: updateResponses('completion'),
      },
    },
    async (request) => answerProject(() => completeMilestone(deps(), milestoneAction(request))),
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
        body: MilestoneActionBody,
        response: updateResponses('approval'),
      },
    },
    async (request) => answerProject(() => approveMilestone(deps(), milestoneAction(request))),
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
        body: RejectionBody,
        response: updateResponses('rejection'),
      },
    },
    async (request) =>
      answerProject(() =>
        rejectMilestone(deps(), { ...milestoneAction(request), reason: request.body.reason }),
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
    async (request) =>
      answerProject(() =>
        applyChangeOrder(deps(), { ...askedBy(request), projectId: request.params.id }),
      ),
  );

  done();
};

export default projects;
