// Projects: their milestones, change orders, events and time entries (final once invoiced).
// Each statement by the name of what it creates, in an order they can run in.
export const projects = {
  time_entry_invoiced_is_final: `CREATE FUNCTION time_entry_invoiced_is_final() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    begin
      raise exception 'time entry % is invoiced (%): correct it with a credit note', old.id, old.invoice_id
        using errcode = 'check_violation';
    end $$;`,
  projects: `CREATE TABLE projects (
    id text NOT NULL,
    customer_id text NOT NULL,
    name text NOT NULL,
    currency character(3) NOT NULL,
    contract_value bigint NOT NULL,
    terms jsonb NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    budget_warned_at timestamp with time zone,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT projects_contract_value_check CHECK ((contract_value > 0)),
    CONSTRAINT projects_status_check CHECK ((status = ANY (ARRAY['active'::text, 'completed'::text]))),
    CONSTRAINT projects_pkey PRIMARY KEY (id),
    CONSTRAINT projects_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id)
);`,
  project_change_orders: `CREATE TABLE project_change_orders (
    project_id text NOT NULL,
    version integer NOT NULL,
    change jsonb NOT NULL,
    contract_value_before bigint NOT NULL,
    contract_value_after bigint NOT NULL,
    actor text NOT NULL,
    reason text,
    occurred_at timestamp with time zone NOT NULL,
    CONSTRAINT project_change_orders_pkey PRIMARY KEY (project_id, version),
    CONSTRAINT project_change_orders_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id)
);`,
  project_events: `CREATE TABLE project_events (
    id bigserial NOT NULL,
    project_id text NOT NULL,
    event_key text NOT NULL,
    milestone_key text,
    kind text NOT NULL,
    actor text NOT NULL,
    reason text,
    occurred_at timestamp with time zone NOT NULL,
    CONSTRAINT project_events_pkey PRIMARY KEY (id),
    CONSTRAINT project_events_event_key_key UNIQUE (event_key),
    CONSTRAINT project_events_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id)
);`,
  project_milestones: `CREATE TABLE project_milestones (
    project_id text NOT NULL,
    key text NOT NULL,
    "position" integer NOT NULL,
    name text NOT NULL,
    amount bigint NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    invoice_id text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT project_milestones_amount_check CHECK ((amount >= 0)),
    CONSTRAINT project_milestones_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'awaiting_approval'::text, 'approved'::text, 'invoiced'::text]))),
    CONSTRAINT project_milestones_pkey PRIMARY KEY (project_id, key),
    CONSTRAINT project_milestones_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices(id),
    CONSTRAINT project_milestones_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id)
);`,
  time_entries: `CREATE TABLE time_entries (
    id text NOT NULL,
    project_id text NOT NULL,
    person text NOT NULL,
    role text,
    work_date text NOT NULL,
    minutes integer NOT NULL,
    billed_minutes integer NOT NULL,
    hourly_rate bigint NOT NULL,
    amount bigint NOT NULL,
    description text NOT NULL,
    billable boolean NOT NULL,
    invoice_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT time_entries_amount_check CHECK ((amount >= 0)),
    CONSTRAINT time_entries_billed_minutes_check CHECK ((billed_minutes > 0)),
    CONSTRAINT time_entries_hourly_rate_check CHECK ((hourly_rate >= 0)),
    CONSTRAINT time_entries_minutes_check CHECK ((minutes > 0)),
    CONSTRAINT time_entries_work_date_check CHECK ((work_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'::text)),
    CONSTRAINT time_entries_pkey PRIMARY KEY (id),
    CONSTRAINT time_entries_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices(id),
    CONSTRAINT time_entries_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id)
);`,
  project_events_project: `CREATE INDEX project_events_project ON project_events USING btree (project_id, id);`,
  projects_customer: `CREATE INDEX projects_customer ON projects USING btree (customer_id);`,
  time_entries_uninvoiced: `CREATE INDEX time_entries_uninvoiced ON time_entries USING btree (project_id, work_date) WHERE (invoice_id IS NULL);`,
  time_entries_invoiced_final: `CREATE TRIGGER time_entries_invoiced_final BEFORE DELETE OR UPDATE ON time_entries FOR EACH ROW WHEN ((old.invoice_id IS NOT NULL)) EXECUTE FUNCTION time_entry_invoiced_is_final();`,
};
