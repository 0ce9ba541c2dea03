// E-invoices as first generated: the bytes a customer was sent (and the API serves), one per
// document and format, so a retried email attaches the very same file.
// Each statement by the name of what it creates, in an order they can run in.
export const eInvoices = {
  e_invoices: `CREATE TABLE e_invoices (
    document_kind text NOT NULL,
    document_id text NOT NULL,
    format text NOT NULL,
    content bytea NOT NULL,
    content_type text NOT NULL,
    filename text NOT NULL,
    content_hash text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT e_invoices_document_kind_check CHECK ((document_kind = ANY (ARRAY['invoice'::text, 'credit_note'::text]))),
    CONSTRAINT e_invoices_pkey PRIMARY KEY (document_kind, document_id, format)
);`,
};
