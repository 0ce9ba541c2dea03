// The billing runs' failed attempts: why the invoicing of one (subscription, billing key) failed,
// how often, and whether Temporal tries it again, for the operators' bill-run view.
// Each statement by the name of what it creates, in an order they can run in.
export const billingRuns = {
  billing_run_failures: `CREATE TABLE billing_run_failures (
    subscription_id text NOT NULL,
    billing_key text NOT NULL,
    customer_id text NOT NULL,
    due_at timestamp with time zone NOT NULL,
    attempts integer NOT NULL,
    last_error text NOT NULL,
    retrying boolean NOT NULL,
    first_failed_at timestamp with time zone DEFAULT now() NOT NULL,
    last_failed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_run_failures_pkey PRIMARY KEY (subscription_id, billing_key),
    CONSTRAINT billing_run_failures_subscription_id_fkey FOREIGN KEY (subscription_id) REFERENCES subscriptions(id)
);`,
  billing_run_failures_due: `CREATE INDEX billing_run_failures_due ON billing_run_failures USING btree (due_at);`,
};
