import { MigrationInterface, QueryRunner } from 'typeorm';

export class Gateways1764000002000 implements MigrationInterface {
  name = 'Gateways1764000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE gateway_provider AS ENUM ('asaas', 'mercadopago')`);
    await queryRunner.query(`CREATE TYPE gateway_environment AS ENUM ('sandbox', 'production')`);
    await queryRunner.query(`CREATE TYPE gateway_connection_status AS ENUM ('active', 'invalid', 'disconnected')`);
    await queryRunner.query(`
      CREATE TABLE gateway_connections (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        account_id varchar(64) NOT NULL REFERENCES accounts (id),
        provider gateway_provider NOT NULL,
        environment gateway_environment NOT NULL,
        label varchar(100),
        status gateway_connection_status NOT NULL DEFAULT 'active',
        credentials_ciphertext text NOT NULL,
        provider_webhook_id varchar(100),
        provider_account_id varchar(200),
        provider_account_name varchar(200),
        status_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ix_gateway_connections_account ON gateway_connections (account_id, seq DESC)`);
    await queryRunner.query(`
      CREATE TABLE outbound_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        account_id varchar(64) NOT NULL,
        type varchar(100) NOT NULL,
        data jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'not_configured')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ix_outbound_events_account ON outbound_events (account_id, seq DESC)`);
    await queryRunner.query(`CREATE INDEX ix_outbound_events_pending ON outbound_events (next_attempt_at) WHERE status = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbound_events`);
    await queryRunner.query(`DROP TABLE gateway_connections`);
    await queryRunner.query(`DROP TYPE gateway_connection_status`);
    await queryRunner.query(`DROP TYPE gateway_environment`);
    await queryRunner.query(`DROP TYPE gateway_provider`);
  }
}
