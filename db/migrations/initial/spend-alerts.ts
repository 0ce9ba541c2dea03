// Spend alerts (docs/BALANCE.md): levels of usage or amount set on a customer or on a plan, and
// their crossings, one per (alert, customer, period) by the unique key, so a retried or replayed
// activity records nothing twice.
export const spendAlerts = {
  spend_alerts: `CREATE TABLE spend_alerts (
    id text NOT NULL,
    customer_id text,
    plan_code text,
    name text,
    kind text NOT NULL,
    metric_code text,
    units numeric,
    amount bigint,
    currency text,
    hard_stop boolean DEFAULT false NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    disabled_at timestamp with time zone,
    CONSTRAINT spend_alerts_pkey PRIMARY KEY (id),
    CONSTRAINT spend_alerts_scope_check CHECK (((customer_id IS NULL) <> (plan_code IS NULL))),
    CONSTRAINT spend_alerts_kind_check CHECK (((kind = 'usage' AND metric_code IS NOT NULL AND units > 0 AND amount IS NULL) OR (kind = 'amount' AND amount > 0 AND currency IS NOT NULL AND metric_code IS NULL))),
    CONSTRAINT spend_alerts_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id),
    CONSTRAINT spend_alerts_plan_code_fkey FOREIGN KEY (plan_code) REFERENCES plans(code),
    CONSTRAINT spend_alerts_metric_code_fkey FOREIGN KEY (metric_code) REFERENCES billable_metrics(code)
);`,
  spend_alerts_customer: `CREATE INDEX spend_alerts_customer ON spend_alerts USING btree (customer_id) WHERE enabled;`,
  spend_alerts_plan: `CREATE INDEX spend_alerts_plan ON spend_alerts USING btree (plan_code) WHERE enabled;`,
  spend_alert_crossings: `CREATE TABLE spend_alert_crossings (
    id text NOT NULL,
    alert_id text NOT NULL,
    customer_id text NOT NULL,
    period_start timestamp with time zone NOT NULL,
    period_end timestamp with time zone,
    value numeric NOT NULL,
    crossed_at timestamp with time zone NOT NULL,
    resolved_at timestamp with time zone,
    resolved_value numeric,
    CONSTRAINT spend_alert_crossings_pkey PRIMARY KEY (id),
    CONSTRAINT spend_alert_crossings_once UNIQUE (alert_id, customer_id, period_start),
    CONSTRAINT spend_alert_crossings_alert_id_fkey FOREIGN KEY (alert_id) REFERENCES spend_alerts(id),
    CONSTRAINT spend_alert_crossings_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id)
);`,
  spend_alert_crossings_open: `CREATE INDEX spend_alert_crossings_open ON spend_alert_crossings USING btree (customer_id) WHERE (resolved_at IS NULL);`,
};
