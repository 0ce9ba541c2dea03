// The customer portal: magic links (single use, short-lived) and the sessions they open.
// Each statement by the name of what it creates, in an order they can run in.
export const portal = {
  portal_links: `CREATE TABLE portal_links (
    id text NOT NULL,
    customer_id text NOT NULL,
    requested_by text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    consumed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT portal_links_requested_by_check CHECK ((requested_by = ANY (ARRAY['operator'::text, 'customer'::text]))),
    CONSTRAINT portal_links_pkey PRIMARY KEY (id),
    CONSTRAINT portal_links_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id)
);`,
  portal_links_customer_recent: `CREATE INDEX portal_links_customer_recent ON portal_links USING btree (customer_id, created_at);`,
  portal_sessions: `CREATE TABLE portal_sessions (
    token_hash text NOT NULL,
    customer_id text NOT NULL,
    link_id text NOT NULL,
    csrf_token text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    CONSTRAINT portal_sessions_pkey PRIMARY KEY (token_hash),
    CONSTRAINT portal_sessions_link_id_key UNIQUE (link_id),
    CONSTRAINT portal_sessions_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id),
    CONSTRAINT portal_sessions_link_id_fkey FOREIGN KEY (link_id) REFERENCES portal_links(id)
);`,
};
