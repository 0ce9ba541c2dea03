// A project's time entries: rows recorded against the project's budget (priced by the rate given
// or the role's rate card, rounded up to its increment) and invoiced by its workflow; an invoiced
// entry never changes. The use cases are in services/project-time-entries.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  projectTimeEntries,
  recordTimeEntry,
  removeTimeEntry,
} from '../../services/project-time-entries.ts';
import { ListOf, PageQuery, problemResponse } from '../schemas/common.ts';
import { recordedTimeEntryView, timeEntryPage } from '../schemas/project-views.ts';
import {
  EntryParams,
  ProjectParams,
  TimeEntryBody,
  timeEntryCreatedResponses,
  timeEntryDeletedResponses,
  TimeEntrySchema,
} from '../schemas/projects.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const projectTimeEntryRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
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
        response: timeEntryCreatedResponses,
      },
    },
    async (request, reply) => {
      const recorded = await answeringRefusals(() =>
        recordTimeEntry(
          serviceDependencies(app),
          { ...request.body, projectId: request.params.id },
          (error) => request.log.warn({ err: error }, 'budget warning not delivered'),
        ),
      );
      return reply.code(201).send(recordedTimeEntryView(recorded));
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
      const found = await answeringRefusals(() => projectTimeEntries(app.db, request.params.id));
      return timeEntryPage(found, request.query);
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
        response: timeEntryDeletedResponses,
      },
    },
    async (request, reply) => {
      await answeringRefusals(() =>
        removeTimeEntry(app.db, request.params.id, request.params.entryId),
      );
      return reply.code(204).send(null);
    },
  );

  done();
};

export default projectTimeEntryRoutes;
