import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1764000004000 implements MigrationInterface {
  name = 'Webhooks1764000004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        connection_id uuid NOT NULL REFERENCES gateway_connections (id),
        account_id varchar(64) NOT NULL,
        provider gateway_provider NOT NULL,
        provider_event_id varchar(200) NOT NULL,
        event_type varchar(100) NOT NULL,
        category varchar(16) NOT NULL,
        gateway_payment_id varchar(100),
        external_reference varchar(200),
        payload jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'ignored', 'failed', 'dead')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        charge_id uuid,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT uq_webhook_events_provider_event UNIQUE (connection_id, provider_event_id)
      )`);
    await queryRunner.query(`CREATE INDEX ix_webhook_events_account ON webhook_events (account_id, seq DESC)`);
    await queryRunner.query(`CREATE INDEX ix_webhook_events_unprocessed ON webhook_events (received_at) WHERE status IN ('received', 'failed')`);

    await queryRunner.query(`
      CREATE TABLE refunds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        account_id varchar(64) NOT NULL,
        charge_id uuid NOT NULL REFERENCES charges (id),
        payment_id uuid REFERENCES payments (id),
        kind varchar(16) NOT NULL DEFAULT 'refund' CHECK (kind IN ('refund', 'chargeback')),
        origin varchar(16) NOT NULL CHECK (origin IN ('api', 'gateway_panel', 'reconciliation')),
        destination varchar(16) NOT NULL DEFAULT 'gateway' CHECK (destination IN ('gateway', 'credit')),
        amount numeric(14, 2) NOT NULL CHECK (amount > 0),
        status varchar(16) NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'canceled')),
        gateway_refund_id varchar(200),
        reason varchar(500),
        idempotency_key varchar(255),
        failure_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_refunds_gateway_refund UNIQUE (payment_id, gateway_refund_id),
        CONSTRAINT uq_refunds_idempotency UNIQUE (account_id, idempotency_key)
      )`);
    await queryRunner.query(`CREATE INDEX ix_refunds_charge ON refunds (charge_id, seq DESC)`);

    await queryRunner.query(`
      CREATE TABLE customer_credit_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        account_id varchar(64) NOT NULL,
        customer_id uuid NOT NULL REFERENCES customers (id),
        currency char(3) NOT NULL DEFAULT 'BRL',
        amount numeric(14, 2) NOT NULL CHECK (amount <> 0),
        kind varchar(24) NOT NULL CHECK (kind IN ('overpayment', 'already_paid', 'refund_to_credit', 'manual_adjustment', 'applied_to_charge')),
        description varchar(500) NOT NULL,
        charge_id uuid REFERENCES charges (id),
        source_key varchar(300) NOT NULL,
        created_by varchar(100),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_credit_entries_source UNIQUE (account_id, source_key)
      )`);
    await queryRunner.query(`CREATE INDEX ix_credit_entries_customer ON customer_credit_entries (customer_id, seq DESC)`);
    // The ledger is append-only: corrections are new entries, never edits.
    await queryRunner.query(`
      CREATE FUNCTION forbid_credit_entry_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'customer_credit_entries is append-only'; END $$`);
    await queryRunner.query(`
      CREATE TRIGGER trg_credit_entries_append_only BEFORE UPDATE OR DELETE ON customer_credit_entries
      FOR EACH ROW EXECUTE FUNCTION forbid_credit_entry_changes()`);

    await queryRunner.query(`ALTER TABLE payments ADD COLUMN amount_refunded numeric(14, 2) NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE charges ADD COLUMN interest_received numeric(14, 2) NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE charges ADD COLUMN last_synced_at timestamptz`);
    await queryRunner.query(`CREATE INDEX ix_charges_open ON charges (updated_at) WHERE status IN ('awaiting_payment', 'partially_paid', 'overdue')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ix_charges_open`);
    await queryRunner.query(`ALTER TABLE charges DROP COLUMN last_synced_at`);
    await queryRunner.query(`ALTER TABLE charges DROP COLUMN interest_received`);
    await queryRunner.query(`ALTER TABLE payments DROP COLUMN amount_refunded`);
    await queryRunner.query(`DROP TABLE customer_credit_entries`);
    await queryRunner.query(`DROP FUNCTION forbid_credit_entry_changes`);
    await queryRunner.query(`DROP TABLE refunds`);
    await queryRunner.query(`DROP TABLE webhook_events`);
  }
}
