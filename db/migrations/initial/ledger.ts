// The double-entry ledger: the chart of accounts (seeded), which account each posting role uses,
// and the journal (entries and their lines), append-only (but for a deleted test clock's
// simulated customers) and balanced per entry at commit.
// Each statement by the name of what it creates, in an order they can run in.
export const ledger = {
  journal_entry_balances: `CREATE FUNCTION journal_entry_balances() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    declare
      checked text;
      entry_currency text;
      line_count integer;
      debits numeric;
      credits numeric;
      foreign_lines integer;
    begin
      if tg_table_name = 'journal_entries' then checked := new.id; else checked := new.entry_id; end if;
      select currency into entry_currency from journal_entries where id = checked;
      select count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0),
             count(*) filter (where currency <> entry_currency)
        into line_count, debits, credits, foreign_lines
        from journal_lines where entry_id = checked;
      if line_count < 2 then
        raise exception 'journal entry % has % line(s): an entry needs at least two', checked, line_count
          using errcode = 'check_violation';
      end if;
      if debits <> credits then
        raise exception 'journal entry % does not balance: debits % <> credits %', checked, debits, credits
          using errcode = 'check_violation';
      end if;
      if foreign_lines > 0 then
        raise exception 'journal entry % mixes currencies: every line must be in %', checked, entry_currency
          using errcode = 'check_violation';
      end if;
      return null;
    end $$;`,
  journal_is_append_only: `CREATE FUNCTION journal_is_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    begin
      -- A test clock's customers bill simulated time, never the books: deleting the clock deletes them.
      if tg_op = 'DELETE' then
        if exists (select 1 from customers c where c.id = old.customer_id and c.test_clock_id is not null) then
          return old;
        end if;
      end if;
      raise exception 'the journal is append-only: % on % refused; post a correcting entry', tg_op, tg_table_name
        using errcode = 'restrict_violation';
    end $$;`,
  ledger_accounts: `CREATE TABLE ledger_accounts (
    code text NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ledger_accounts_code_check CHECK ((code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'::text)),
    CONSTRAINT ledger_accounts_type_check CHECK ((type = ANY (ARRAY['asset'::text, 'liability'::text, 'equity'::text, 'revenue'::text, 'expense'::text]))),
    CONSTRAINT ledger_accounts_pkey PRIMARY KEY (code)
);`,
  ledger_account_mappings: `CREATE TABLE ledger_account_mappings (
    role text NOT NULL,
    dimension text DEFAULT ''::text NOT NULL,
    account_code text NOT NULL,
    CONSTRAINT ledger_account_mappings_role_check CHECK ((role = ANY (ARRAY['accounts_receivable'::text, 'revenue'::text, 'tax_payable'::text, 'cash'::text, 'customer_credit'::text, 'bad_debt'::text, 'refunds_clearing'::text, 'prepaid_credit'::text]))),
    CONSTRAINT ledger_account_mappings_pkey PRIMARY KEY (role, dimension),
    CONSTRAINT ledger_account_mappings_account_code_fkey FOREIGN KEY (account_code) REFERENCES ledger_accounts(code)
);`,
  journal_entries: `CREATE TABLE journal_entries (
    id text NOT NULL,
    sequence bigserial NOT NULL,
    kind text NOT NULL,
    idempotency_key text NOT NULL,
    customer_id text NOT NULL,
    currency character(3) NOT NULL,
    business_date text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    description text NOT NULL,
    invoice_id text,
    payment_id text,
    credit_note_id text,
    document_number text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT journal_entries_kind_check CHECK ((kind = ANY (ARRAY['invoice_finalized'::text, 'payment_received'::text, 'customer_credit_applied'::text, 'credit_note_issued'::text, 'invoice_voided'::text, 'invoice_written_off'::text, 'payment_adjusted'::text, 'wallet_credit_granted'::text, 'wallet_credit_applied'::text, 'wallet_credit_expired'::text, 'wallet_credit_voided'::text]))),
    CONSTRAINT journal_entries_business_date_check CHECK ((business_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'::text)),
    CONSTRAINT journal_entries_pkey PRIMARY KEY (id),
    CONSTRAINT journal_entries_sequence_key UNIQUE (sequence),
    CONSTRAINT journal_entries_idempotency_key UNIQUE (kind, idempotency_key),
    CONSTRAINT journal_entries_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id),
    CONSTRAINT journal_entries_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices(id),
    CONSTRAINT journal_entries_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES payments(id),
    CONSTRAINT journal_entries_credit_note_id_fkey FOREIGN KEY (credit_note_id) REFERENCES credit_notes(id)
);`,
  journal_lines: `CREATE TABLE journal_lines (
    id bigserial NOT NULL,
    entry_id text NOT NULL,
    "position" integer NOT NULL,
    account_code text NOT NULL,
    currency character(3) NOT NULL,
    debit bigint DEFAULT 0 NOT NULL,
    credit bigint DEFAULT 0 NOT NULL,
    customer_id text,
    invoice_id text,
    plan_code text,
    origin text,
    tax_jurisdiction text,
    tax_rate text,
    payment_method text,
    memo text,
    CONSTRAINT journal_lines_one_side_check CHECK (((debit >= 0) AND (credit >= 0) AND ((debit = 0) <> (credit = 0)))),
    CONSTRAINT journal_lines_pkey PRIMARY KEY (id),
    CONSTRAINT journal_lines_position_key UNIQUE (entry_id, "position"),
    CONSTRAINT journal_lines_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES journal_entries(id),
    CONSTRAINT journal_lines_account_code_fkey FOREIGN KEY (account_code) REFERENCES ledger_accounts(code),
    CONSTRAINT journal_lines_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id),
    CONSTRAINT journal_lines_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices(id)
);`,
  ledger_accounts_seed: `INSERT INTO ledger_accounts (code, name, type) VALUES
    ('1000', 'Cash clearing', 'asset'),
    ('1100', 'Accounts receivable', 'asset'),
    ('2100', 'Tax payable', 'liability'),
    ('2200', 'Customer credit', 'liability'),
    ('2250', 'Prepaid credit', 'liability'),
    ('2300', 'Refunds clearing', 'liability'),
    ('2400', 'Deferred revenue', 'liability'),
    ('3000', 'Retained earnings', 'equity'),
    ('4000', 'Revenue', 'revenue'),
    ('6100', 'Bad debt', 'expense');`,
  ledger_account_mappings_seed: `INSERT INTO ledger_account_mappings (role, dimension, account_code) VALUES
    ('accounts_receivable', '', '1100'),
    ('revenue', '', '4000'),
    ('tax_payable', '', '2100'),
    ('cash', '', '1000'),
    ('customer_credit', '', '2200'),
    ('bad_debt', '', '6100'),
    ('refunds_clearing', '', '2300'),
    ('prepaid_credit', '', '2250');`,
  journal_entries_date: `CREATE INDEX journal_entries_date ON journal_entries USING btree (currency, business_date, sequence);`,
  journal_lines_account: `CREATE INDEX journal_lines_account ON journal_lines USING btree (account_code, currency);`,
  journal_entries_balanced: `CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balances();`,
  journal_lines_balanced: `CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON journal_lines DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_entry_balances();`,
  journal_entries_append_only: `CREATE TRIGGER journal_entries_append_only BEFORE DELETE OR UPDATE ON journal_entries FOR EACH ROW EXECUTE FUNCTION journal_is_append_only();`,
  journal_lines_append_only: `CREATE TRIGGER journal_lines_append_only BEFORE DELETE OR UPDATE ON journal_lines FOR EACH ROW EXECUTE FUNCTION journal_is_append_only();`,
  journal_entries_no_truncate: `CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries FOR EACH STATEMENT EXECUTE FUNCTION journal_is_append_only();`,
  journal_lines_no_truncate: `CREATE TRIGGER journal_lines_no_truncate BEFORE TRUNCATE ON journal_lines FOR EACH STATEMENT EXECUTE FUNCTION journal_is_append_only();`,
};
