// Outgoing webhooks: endpoints, the events written with the changes that caused them, and the
// attempts to deliver them. Each statement by the name of what it creates, in an order they can
// run in.
export const webhooks = {
  webhook_endpoints: `CREATE TABLE webhook_endpoints (
    id text NOT NULL,
    url text NOT NULL,
    description text,
    event_types jsonb NOT NULL,
    status text DEFAULT 'enabled' NOT NULL,
    secret text NOT NULL,
    paused_reason text,
    paused_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_endpoints_status_check CHECK ((status = ANY (ARRAY['enabled'::text, 'disabled'::text, 'paused'::text])))
);`,
  webhook_events: `CREATE TABLE webhook_events (
    id text NOT NULL,
    seq bigserial NOT NULL,
    type text NOT NULL,
    object_id text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    dispatched_at timestamp with time zone,
    CONSTRAINT webhook_events_pkey PRIMARY KEY (id)
);`,
  webhook_events_pending: `CREATE INDEX webhook_events_pending ON webhook_events USING btree (seq) WHERE (dispatched_at IS NULL);`,
  webhook_events_object: `CREATE INDEX webhook_events_object ON webhook_events USING btree (object_id, seq);`,
  webhook_attempts: `CREATE TABLE webhook_attempts (
    id bigserial NOT NULL,
    endpoint_id text NOT NULL,
    event_id text NOT NULL,
    trigger text NOT NULL,
    status_code integer,
    duration_ms integer NOT NULL,
    response_excerpt text,
    error text,
    succeeded boolean NOT NULL,
    attempted_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_attempts_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_attempts_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    CONSTRAINT webhook_attempts_event_id_fkey FOREIGN KEY (event_id) REFERENCES webhook_events(id)
);`,
  webhook_attempts_endpoint: `CREATE INDEX webhook_attempts_endpoint ON webhook_attempts USING btree (endpoint_id, event_id, id);`,
};
