// Pricing catalog: immutable plan versions (charges as JSON the pure catalog validates), the
// version each subscription is pinned to, seats, coupons and where they are applied.
// Frozen in time: a migration takes Kysely<any> and never imports today's types, so the
// backfilled charge is written out literally below.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A plan's terms at one point in time. Never updated: editing a plan adds a version, and
  // subscriptions stay on the version they were pinned to until moved explicitly.
  await db.schema
    .createTable('plan_versions')
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('interval', 'text', (c) => c.notNull())
    .addColumn('interval_count', 'integer', (c) => c.notNull().check(sql`interval_count >= 1`))
    .addColumn('tax_behavior', 'text', (c) =>
      c.notNull().check(sql`tax_behavior in ('exclusive', 'inclusive')`),
    )
    // The charges as the catalog types them (domain/catalog.ts), validated before insert.
    .addColumn('charges', 'jsonb', (c) =>
      c.notNull().check(sql`jsonb_typeof(charges) = 'array' and jsonb_array_length(charges) > 0`),
    )
    // Minimum spend per period, an exact decimal of minor units of `currency`; null for none.
    .addColumn('minimum_commitment', 'numeric', (c) => c.check(sql`minimum_commitment >= 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // An API key id, or "migration" for backfilled versions.
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('plan_versions_pkey', ['plan_id', 'version'])
    .execute();

  await db.schema
    .alterTable('plans')
    .addColumn('current_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  // Every existing plan becomes version 1: its flat amount, billed in advance.
  await sql`
    insert into plan_versions
      (plan_id, version, currency, interval, interval_count, tax_behavior, charges, created_at, created_by)
    select id, 1, currency, interval, interval_count, 'exclusive',
      jsonb_build_array(jsonb_build_object(
        'key', 'base',
        'description', name,
        'type', 'flat',
        'billing', 'advance',
        'amount', amount::text
      )),
      created_at, 'migration'
    from plans
  `.execute(db);

  // Existing subscriptions were started on the only version there was. The default also keeps
  // rows inserted without a pin (older scripts and fixtures) on version 1.
  await db.schema
    .alterTable('subscriptions')
    .addColumn('plan_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('quantity', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`quantity >= 1`),
    )
    .execute();

  // Audit trail of explicit moves of a subscription from one plan version to another.
  await db.schema
    .createTable('subscription_plan_version_changes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('from_version', 'integer', (c) => c.notNull())
    .addColumn('to_version', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('subscription_plan_version_changes_subscription_idx')
    .on('subscription_plan_version_changes')
    .column('subscription_id')
    .execute();

  await db.schema
    .createTable('coupons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    // Shown on the invoice, e.g. "Launch offer -20 %".
    .addColumn('description', 'text', (c) => c.notNull())
    // Exact decimal percentage, e.g. 12.5; or an amount in minor units of `currency`.
    .addColumn('percent_off', 'numeric', (c) =>
      c.check(sql`percent_off > 0 and percent_off <= 100`),
    )
    .addColumn('amount_off', 'bigint', (c) => c.check(sql`amount_off > 0`))
    .addColumn('currency', 'char(3)')
    .addColumn('duration', 'text', (c) =>
      c.notNull().check(sql`duration in ('once', 'repeating', 'forever')`),
    )
    .addColumn('duration_periods', 'integer', (c) => c.check(sql`duration_periods >= 1`))
    // Charge keys the discount applies to; null for every charge.
    .addColumn('applies_to', 'jsonb')
    .addColumn('max_redemptions', 'integer', (c) => c.check(sql`max_redemptions >= 1`))
    .addColumn('times_redeemed', 'integer', (c) => c.notNull().defaultTo(0))
    // Last moment the coupon can be applied; coupons already applied keep running.
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addCheckConstraint(
      'coupons_discount_kind_check',
      sql`(percent_off is not null and amount_off is null and currency is null)
       or (percent_off is null and amount_off is not null and currency is not null)`,
    )
    .addCheckConstraint(
      'coupons_duration_periods_required_check',
      sql`(duration = 'repeating') = (duration_periods is not null)`,
    )
    .addCheckConstraint(
      'coupons_redeemed_within_max_check',
      sql`max_redemptions is null or times_redeemed <= max_redemptions`,
    )
    .execute();

  // A coupon applied to a customer (every subscription of theirs) or to one subscription.
  await db.schema
    .createTable('coupon_redemptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('coupon_id', 'text', (c) => c.notNull().references('coupons.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    // Null when applied to the customer.
    .addColumn('subscription_id', 'text', (c) => c.references('subscriptions.id'))
    // Billing periods discounted so far (the rating engine's CouponRedemption.periodsApplied).
    .addColumn('periods_applied', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`periods_applied >= 0`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  // Once per target: the database decides, so two concurrent applications cannot both land.
  await db.schema
    .createIndex('coupon_redemptions_customer_key')
    .on('coupon_redemptions')
    .columns(['coupon_id', 'customer_id'])
    .unique()
    .where(sql.ref('subscription_id'), 'is', null)
    .execute();
  await db.schema
    .createIndex('coupon_redemptions_subscription_key')
    .on('coupon_redemptions')
    .columns(['coupon_id', 'subscription_id'])
    .unique()
    .where(sql.ref('subscription_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('coupon_redemptions_customer_idx')
    .on('coupon_redemptions')
    .column('customer_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('coupon_redemptions').execute();
  await db.schema.dropTable('coupons').execute();
  await db.schema.dropTable('subscription_plan_version_changes').execute();
  await db.schema.alterTable('subscriptions').dropColumn('quantity').execute();
  await db.schema.alterTable('subscriptions').dropColumn('plan_version').execute();
  await db.schema.alterTable('plans').dropColumn('current_version').execute();
  await db.schema.dropTable('plan_versions').execute();
}
