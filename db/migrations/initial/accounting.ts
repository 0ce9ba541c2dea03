// The accounting sync: what each Billwright object was acknowledged as by the accounting system
// (its id there, and a hash of what was pushed), each sync run, and what a run did to each object.
// Each statement by the name of what it creates, in an order they can run in.
export const accounting = {
  accounting_links: `CREATE TABLE accounting_links (
    provider text NOT NULL,
    kind text NOT NULL,
    object_id text NOT NULL,
    external_id text NOT NULL,
    synced_hash text NOT NULL,
    currency character(3),
    synced_amount bigint,
    synced_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT accounting_links_kind_check CHECK ((kind = ANY (ARRAY['customer'::text, 'invoice'::text, 'credit_note'::text, 'payment'::text]))),
    CONSTRAINT accounting_links_pkey PRIMARY KEY (provider, kind, object_id)
);`,
  accounting_links_external: `CREATE INDEX accounting_links_external ON accounting_links USING btree (provider, kind, external_id);`,
  accounting_syncs: `CREATE TABLE accounting_syncs (
    id text NOT NULL,
    provider text NOT NULL,
    period_from text,
    period_to text,
    status text DEFAULT 'running'::text NOT NULL,
    actor text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    CONSTRAINT accounting_syncs_period_check CHECK (((period_from IS NULL) = (period_to IS NULL)) AND (period_from IS NULL OR period_from < period_to)),
    CONSTRAINT accounting_syncs_status_check CHECK ((status = ANY (ARRAY['running'::text, 'completed'::text]))),
    CONSTRAINT accounting_syncs_pkey PRIMARY KEY (id)
);`,
  // One running sync per accounting system: two starts at once answer with the same run.
  accounting_syncs_one_running: `CREATE UNIQUE INDEX accounting_syncs_one_running ON accounting_syncs USING btree (provider) WHERE (status = 'running'::text);`,
  accounting_sync_outcomes: `CREATE TABLE accounting_sync_outcomes (
    sync_id text NOT NULL,
    kind text NOT NULL,
    object_id text NOT NULL,
    outcome text NOT NULL,
    detail text,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT accounting_sync_outcomes_outcome_check CHECK ((outcome = ANY (ARRAY['pushed'::text, 'skipped'::text, 'failed'::text]))),
    CONSTRAINT accounting_sync_outcomes_pkey PRIMARY KEY (sync_id, kind, object_id),
    CONSTRAINT accounting_sync_outcomes_sync_id_fkey FOREIGN KEY (sync_id) REFERENCES accounting_syncs(id)
);`,
};
