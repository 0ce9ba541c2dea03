// Automatic top-ups of wallets: one rule per wallet (recurring, or below a threshold) and every
// purchase a rule made, unique by (wallet, key) so a period or a crossing buys once.
export const walletTopUps = {
  wallet_top_ups: `CREATE TABLE wallet_top_ups (
    wallet_id text NOT NULL,
    kind text NOT NULL,
    amount bigint NOT NULL,
    credit bigint NOT NULL,
    below bigint,
    "interval" text,
    anchor timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT wallet_top_ups_kind_check CHECK ((kind = ANY (ARRAY['recurring'::text, 'threshold'::text]))),
    CONSTRAINT wallet_top_ups_amount_check CHECK ((amount > 0 AND credit > 0)),
    CONSTRAINT wallet_top_ups_shape_check CHECK (((kind = 'threshold' AND below > 0) OR (kind = 'recurring' AND "interval" = ANY (ARRAY['month'::text, 'week'::text]) AND anchor IS NOT NULL))),
    CONSTRAINT wallet_top_ups_pkey PRIMARY KEY (wallet_id),
    CONSTRAINT wallet_top_ups_wallet_id_fkey FOREIGN KEY (wallet_id) REFERENCES wallets(id)
);`,
  wallet_top_up_purchases: `CREATE TABLE wallet_top_up_purchases (
    wallet_id text NOT NULL,
    key text NOT NULL,
    kind text NOT NULL,
    grant_id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT wallet_top_up_purchases_pkey PRIMARY KEY (wallet_id, key),
    CONSTRAINT wallet_top_up_purchases_wallet_id_fkey FOREIGN KEY (wallet_id) REFERENCES wallets(id),
    CONSTRAINT wallet_top_up_purchases_grant_id_fkey FOREIGN KEY (grant_id) REFERENCES wallet_grants(id)
);`,
};
