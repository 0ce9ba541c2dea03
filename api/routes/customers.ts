// Customers: POST /v1/customers, GET /v1/customers, GET /v1/customers/:id. The use cases are in
// services/customers.ts.
import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { createCustomer, getCustomer, listCustomers } from '../../services/customers.ts';
import { DEFAULT_LIMIT, described, IdParams, ListOf, problemResponse } from '../schemas/common.ts';
import {
  CreateCustomerBody,
  CustomerSchema,
  ListCustomersQuery,
  toCustomer,
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
      return { data: page.items.map(toCustomer), hasMore: page.hasMore };
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

  done();
};

export default customers;
