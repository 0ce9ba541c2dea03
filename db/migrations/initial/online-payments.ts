// Online payment: the checkout sessions opened at a payment provider for an invoice's amount due
// (one per invoice, amount and generation, so a double click reuses the first), and the failed
// attempts providers report (one per provider event, so a replayed webhook records nothing new).
export const onlinePayments = {
  payment_checkouts: `CREATE TABLE payment_checkouts (
    id text NOT NULL,
    invoice_id text NOT NULL,
    provider text NOT NULL,
    amount_due bigint NOT NULL,
    currency text NOT NULL,
    generation integer NOT NULL,
    idempotency_key text NOT NULL,
    return_url text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    session_id text,
    session_url text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT payment_checkouts_amount_due_check CHECK ((amount_due > 0)),
    CONSTRAINT payment_checkouts_pkey PRIMARY KEY (id),
    CONSTRAINT payment_checkouts_key UNIQUE (invoice_id, provider, amount_due, generation),
    CONSTRAINT payment_checkouts_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices(id)
);`,
  payment_failures: `CREATE TABLE payment_failures (
    id text NOT NULL,
    invoice_id text NOT NULL,
    customer_id text NOT NULL,
    source text NOT NULL,
    event_id text NOT NULL,
    reference text NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    code text,
    message text,
    failed_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT payment_failures_pkey PRIMARY KEY (id),
    CONSTRAINT payment_failures_event UNIQUE (source, event_id),
    CONSTRAINT payment_failures_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id),
    CONSTRAINT payment_failures_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices(id)
);`,
  payment_failures_invoice: `CREATE INDEX payment_failures_invoice ON payment_failures USING btree (invoice_id, failed_at);`,
};
