// Billable metrics and the usage events rated against them.
// Each statement by the name of what it creates, in an order they can run in.
export const usage = {
  billable_metrics: `CREATE TABLE billable_metrics (
    code text NOT NULL,
    name text NOT NULL,
    aggregation text NOT NULL,
    field text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billable_metrics_aggregation_check CHECK ((aggregation = ANY (ARRAY['count'::text, 'sum'::text, 'max'::text, 'unique_count'::text, 'latest'::text, 'weighted_sum'::text]))),
    CONSTRAINT billable_metrics_field_check CHECK (((aggregation = 'count'::text) = (field IS NULL))),
    CONSTRAINT billable_metrics_pkey PRIMARY KEY (code)
);`,
  usage_events: `CREATE TABLE usage_events (
    customer_id text NOT NULL,
    transaction_id text NOT NULL,
    metric_code text NOT NULL,
    subscription_id text,
    "timestamp" timestamp with time zone NOT NULL,
    billing_timestamp timestamp with time zone NOT NULL,
    properties jsonb DEFAULT '{}'::jsonb NOT NULL,
    value numeric,
    unique_key text,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT usage_events_pkey PRIMARY KEY (customer_id, transaction_id)
);`,
  usage_events_aggregation_idx: `CREATE INDEX usage_events_aggregation_idx ON usage_events USING btree (customer_id, metric_code, billing_timestamp) INCLUDE (value, unique_key);`,
};
