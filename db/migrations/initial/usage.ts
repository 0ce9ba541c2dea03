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
  // Per customer, metric and UTC hour of billing_timestamp: what count, sum and max need, so a
  // period is rated from its hours instead of its events (db/repositories/usage-aggregation.ts).
  // first_at / last_at say whether a window holds the whole hour. Kept by triggers in the
  // transaction that writes the events, whoever writes them, so it always equals the events.
  usage_hourly_totals: `CREATE TABLE usage_hourly_totals (
    customer_id text NOT NULL,
    metric_code text NOT NULL,
    hour timestamp with time zone NOT NULL,
    event_count bigint NOT NULL,
    value_sum numeric,
    value_max numeric,
    first_at timestamp with time zone NOT NULL,
    last_at timestamp with time zone NOT NULL,
    CONSTRAINT usage_hourly_totals_pkey PRIMARY KEY (customer_id, metric_code, hour)
);`,
  // Stored events added to their hours: one upsert per statement, hours locked in key order so
  // concurrent batches cannot deadlock (each batch is one statement: it holds no hour while it
  // waits on an event row).
  add_to_usage_hourly_totals: `CREATE FUNCTION add_to_usage_hourly_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    begin
      insert into usage_hourly_totals as t (customer_id, metric_code, hour, event_count,
        value_sum, value_max, first_at, last_at)
      select customer_id, metric_code,
        date_bin('1 hour', billing_timestamp, timestamptz '2000-01-01 00:00:00+00'),
        count(*), sum(value), max(value), min(billing_timestamp), max(billing_timestamp)
      from added
      group by 1, 2, 3
      order by 1, 2, 3
      on conflict (customer_id, metric_code, hour) do update set
        event_count = t.event_count + excluded.event_count,
        value_sum = coalesce(t.value_sum + excluded.value_sum, t.value_sum, excluded.value_sum),
        value_max = greatest(t.value_max, excluded.value_max),
        first_at = least(t.first_at, excluded.first_at),
        last_at = greatest(t.last_at, excluded.last_at);
      return null;
    end;
    $$;`,
  // Events are never changed or deleted by Billwright; should anyone do it by hand, the hours
  // they touched are recounted from the events (exact, whatever was changed).
  recount_usage_hourly_totals: `CREATE FUNCTION recount_usage_hourly_totals() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    begin
      if tg_op = 'TRUNCATE' then
        truncate usage_hourly_totals;
        return null;
      end if;
      create temporary table if not exists touched_usage_hours
        (customer_id text, metric_code text, hour timestamp with time zone) on commit drop;
      insert into touched_usage_hours
        select customer_id, metric_code,
          date_bin('1 hour', billing_timestamp, timestamptz '2000-01-01 00:00:00+00')
        from removed;
      if tg_op = 'UPDATE' then
        insert into touched_usage_hours
          select customer_id, metric_code,
            date_bin('1 hour', billing_timestamp, timestamptz '2000-01-01 00:00:00+00')
          from added;
      end if;
      delete from usage_hourly_totals t using touched_usage_hours h
        where t.customer_id = h.customer_id and t.metric_code = h.metric_code and t.hour = h.hour;
      insert into usage_hourly_totals (customer_id, metric_code, hour, event_count, value_sum,
        value_max, first_at, last_at)
      select e.customer_id, e.metric_code, h.hour, count(*), sum(e.value), max(e.value),
        min(e.billing_timestamp), max(e.billing_timestamp)
      from (select distinct * from touched_usage_hours) h
      join usage_events e on e.customer_id = h.customer_id and e.metric_code = h.metric_code
        and e.billing_timestamp >= h.hour and e.billing_timestamp < h.hour + interval '1 hour'
      group by e.customer_id, e.metric_code, h.hour;
      delete from touched_usage_hours;
      return null;
    end;
    $$;`,
  usage_events_added: `CREATE TRIGGER usage_events_added AFTER INSERT ON usage_events REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION add_to_usage_hourly_totals();`,
  usage_events_updated: `CREATE TRIGGER usage_events_updated AFTER UPDATE ON usage_events REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION recount_usage_hourly_totals();`,
  usage_events_deleted: `CREATE TRIGGER usage_events_deleted AFTER DELETE ON usage_events REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION recount_usage_hourly_totals();`,
  usage_events_truncated: `CREATE TRIGGER usage_events_truncated AFTER TRUNCATE ON usage_events FOR EACH STATEMENT EXECUTE FUNCTION recount_usage_hourly_totals();`,
};
