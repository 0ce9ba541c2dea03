// Customers: POST /v1/customers, GET /v1/customers, GET and PATCH /v1/customers/:id. The use cases
// are in services/customers.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  correctCustomer,
  createCustomer,
  getCustomer,
  listCustomers,
} from '../../services/customers.ts';
import {
  pageOf,
  DEFAULT_LIMIT,
  described,
  IdParams,
  ListOf,
  problemResponse,
} from '../schemas/common.ts';
import {
  CreateCustomerBody,
  CustomerSchema,
  ListCustomersQuery,
  toCustomer,
  UpdateCustomerBody,
} from '../schemas/customers.ts';
import { answeringRefusals, serviceDependencies } from '../services.ts';

const customers: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.post(
    '/customers',
    {
      schema: {
        tags: ['Customers'],
        summary: 'Create a customer',
        description:
          'Creates a customer. The currency is the one every plan they subscribe to must be priced in; ' +
          'the time zone decides when their billing periods start and end.',
        body: CreateCustomerBody,
        response: {
          201: described(CustomerSchema, 'The created customer.'),
          422: problemResponse(
            'A field is well-formed but not acceptable (unknown currency, country, time zone or ' +
              'locale), or the customer cannot be taxed (missing region, malformed VAT number).',
          ),
        },
      },
    },
    async (request, reply) => {
      const deps = {
        ...serviceDependencies(app),
        seller: app.tax.seller,
        testClocks: app.testClocks,
      };
      const created = await answeringRefusals(() => createCustomer(deps, request.body));
      return reply.code(201).send(toCustomer(created));
    },
  );

  app.get(
    '/customers',
    {
      schema: {
        tags: ['Customers'],
        summary: 'List customers',
        description: 'Customers, newest first.',
        querystring: ListCustomersQuery,
        response: { 200: ListOf(CustomerSchema, 'A page of customers.') },
      },
    },
    async (request) => {
      const { limit = DEFAULT_LIMIT, startingAfter } = request.query;
      const page = await listCustomers(serviceDependencies(app), { limit, startingAfter });
      return pageOf(page, toCustomer);
    },
  );

  app.get(
    '/customers/:id',
    {
      schema: {
        tags: ['Customers'],
        summary: 'Get a customer',
        description: 'One customer by id.',
        params: IdParams,
        response: {
          200: described(CustomerSchema, 'The customer.'),
          404: problemResponse('No customer has this id.'),
        },
      },
    },
    async (request) =>
      toCustomer(
        await answeringRefusals(() => getCustomer(serviceDependencies(app), request.params.id)),
      ),
  );

  app.patch(
    '/customers/:id',
    {
      schema: {
        tags: ['Customers'],
        summary: 'Correct a customer',
        description:
          'Changes only the fields sent (a merge patch; null clears an optional field, an ' +
          '`address` sent changes only the parts it names), checked as a new customer is, on the ' +
          'customer as it would be after: all of it or nothing. Documents issued afterwards carry ' +
          'the new details (address, VAT number, email recipient, locale); invoices issued ' +
          'before keep the details they were issued with. The currency and the test clock are ' +
          'fixed for the customer’s life, the time zone while billing runs on it. The audit ' +
          'trail records the fields changed (old and new values, only the names of personal ' +
          'data). Applying the same patch again changes nothing, so it takes no Idempotency-Key.',
        params: IdParams,
        body: UpdateCustomerBody,
        response: {
          200: described(CustomerSchema, 'The customer as corrected.'),
          404: problemResponse('No customer has this id.'),
          422: problemResponse(
            'A field is well-formed but not acceptable (unknown country, time zone or locale), ' +
              'the customer could not be taxed after the change (missing region, malformed VAT ' +
              'number), the patch changes the currency or the test clock, fixed for life, or the ' +
              'time zone while subscriptions, projects or collections run on it.',
          ),
        },
      },
    },
    async (request) => {
      const deps = {
        ...serviceDependencies(app),
        seller: app.tax.seller,
        testClocks: app.testClocks,
      };
      const { customer, changes } = await answeringRefusals(() =>
        correctCustomer(deps, request.params.id, request.body),
      );
      if (changes.length > 0) request.auditChanges = changes;
      return toCustomer(customer);
    },
  );

  done();
};

export default customers;
