// What runs the platform rather than bills: API keys, their audit trail and idempotency keys,
// the email ledger and development outbox, and the workflow-start outbox.
// Each statement by the name of what it creates, in an order they can run in.
export const platform = {
  api_keys: `CREATE TABLE api_keys (
    id text NOT NULL,
    name text NOT NULL,
    key_hash text NOT NULL,
    scopes text[] NOT NULL,
    previous_key_hash text,
    previous_expires_at timestamp with time zone,
    created_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    rotated_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT api_keys_scopes_check CHECK (((cardinality(scopes) > 0) AND (scopes <@ ARRAY['read'::text, 'write'::text, 'admin'::text]))),
    CONSTRAINT api_keys_previous_check CHECK (((previous_key_hash IS NULL) = (previous_expires_at IS NULL))),
    CONSTRAINT api_keys_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_previous_key_hash_key UNIQUE (previous_key_hash)
);`,
  audit_events: `CREATE TABLE audit_events (
    id bigserial NOT NULL,
    api_key_id text NOT NULL,
    operator text,
    action text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    resource_id text,
    status integer NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_events_pkey PRIMARY KEY (id),
    CONSTRAINT audit_events_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES api_keys(id)
);`,
  email_deliveries: `CREATE TABLE email_deliveries (
    idempotency_key text NOT NULL,
    kind text NOT NULL,
    invoice_id text,
    recipient text NOT NULL,
    subject text NOT NULL,
    provider text NOT NULL,
    provider_message_id text,
    status text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    CONSTRAINT email_deliveries_pkey PRIMARY KEY (idempotency_key),
    CONSTRAINT email_deliveries_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices(id)
);`,
  idempotency_keys: `CREATE TABLE idempotency_keys (
    api_key_id text NOT NULL,
    key text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    request_hash text NOT NULL,
    status_code integer,
    response_body text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (api_key_id, key),
    CONSTRAINT idempotency_keys_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES api_keys(id)
);`,
  outbox_messages: `CREATE TABLE outbox_messages (
    id text NOT NULL,
    idempotency_key text NOT NULL,
    from_address text NOT NULL,
    to_addresses text[] NOT NULL,
    subject text NOT NULL,
    html text NOT NULL,
    text text NOT NULL,
    attachments jsonb DEFAULT '[]'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT outbox_messages_pkey PRIMARY KEY (id),
    CONSTRAINT outbox_messages_idempotency_key_key UNIQUE (idempotency_key)
);`,
  // The transactional outbox of workflow starts: a row committed with what it follows (a
  // finalized invoice), started after the commit and by the worker's drainer until it exists.
  workflow_starts: `CREATE TABLE workflow_starts (
    id text NOT NULL,
    kind text NOT NULL,
    workflow_id text NOT NULL,
    payload jsonb NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    CONSTRAINT workflow_starts_pkey PRIMARY KEY (id),
    CONSTRAINT workflow_starts_kind_check CHECK ((kind = ANY (ARRAY['collection'::text, 'manual_invoice_delivery'::text])))
);`,
  audit_events_resource: `CREATE INDEX audit_events_resource ON audit_events USING btree (resource_id, id);`,
  workflow_starts_workflow: `CREATE UNIQUE INDEX workflow_starts_workflow ON workflow_starts USING btree (kind, workflow_id);`,
  workflow_starts_pending: `CREATE INDEX workflow_starts_pending ON workflow_starts USING btree (next_attempt_at) WHERE (started_at IS NULL);`,
};
