// Customers and the test clocks they may be billed on.
// Each statement by the name of what it creates, in an order they can run in.
export const customers = {
  test_clocks: `CREATE TABLE test_clocks (
    id text NOT NULL,
    name text,
    frozen_time timestamp with time zone NOT NULL,
    status text NOT NULL,
    advancing_to timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT test_clocks_status_check CHECK ((status = ANY (ARRAY['ready'::text, 'advancing'::text, 'deleting'::text]))),
    CONSTRAINT test_clocks_pkey PRIMARY KEY (id)
);`,
  customers: `CREATE TABLE customers (
    id text NOT NULL,
    name text NOT NULL,
    email text NOT NULL,
    currency character(3) NOT NULL,
    country character(2) NOT NULL,
    timezone text NOT NULL,
    locale text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    address_line1 text,
    address_line2 text,
    city text,
    region text,
    postal_code text,
    customer_type text DEFAULT 'individual'::text NOT NULL,
    vat_number text,
    tax_exempt_reference text,
    payment_terms_days integer DEFAULT 0 NOT NULL,
    test_clock_id text,
    document_design text,
    CONSTRAINT customers_customer_type_check CHECK ((customer_type = ANY (ARRAY['business'::text, 'individual'::text]))),
    CONSTRAINT customers_payment_terms_days_check CHECK (((payment_terms_days >= 0) AND (payment_terms_days <= 365))),
    CONSTRAINT customers_pkey PRIMARY KEY (id),
    CONSTRAINT customers_test_clock_id_fkey FOREIGN KEY (test_clock_id) REFERENCES test_clocks(id)
);`,
  customers_test_clock: `CREATE INDEX customers_test_clock ON customers USING btree (test_clock_id) WHERE (test_clock_id IS NOT NULL);`,
};
