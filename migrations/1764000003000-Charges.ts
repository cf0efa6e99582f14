import { MigrationInterface, QueryRunner } from 'typeorm';

export class Charges1764000003000 implements MigrationInterface {
  name = 'Charges1764000003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE customers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        account_id varchar(64) NOT NULL REFERENCES accounts (id),
        name varchar(200) NOT NULL,
        cpf_cnpj varchar(14) NOT NULL CHECK (cpf_cnpj ~ '^([0-9]{11}|[0-9]{14})$'),
        email varchar(254),
        phone varchar(20),
        address jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_customers_account_document UNIQUE (account_id, cpf_cnpj)
      )`);
    await queryRunner.query(`
      CREATE TABLE customer_gateway_links (
        connection_id uuid NOT NULL REFERENCES gateway_connections (id),
        customer_id uuid NOT NULL REFERENCES customers (id),
        gateway_customer_id varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (connection_id, customer_id)
      )`);
    await queryRunner.query(`
      CREATE TYPE charge_status AS ENUM (
        'pending', 'awaiting_payment', 'partially_paid', 'paid', 'overdue', 'canceled', 'failed', 'refunded', 'partially_refunded'
      )`);
    await queryRunner.query(`
      CREATE TABLE charges (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        account_id varchar(64) NOT NULL REFERENCES accounts (id),
        number integer NOT NULL,
        customer_id uuid NOT NULL REFERENCES customers (id),
        connection_id uuid NOT NULL REFERENCES gateway_connections (id),
        status charge_status NOT NULL DEFAULT 'pending',
        currency char(3) NOT NULL DEFAULT 'BRL',
        subtotal numeric(14, 2) NOT NULL CHECK (subtotal > 0),
        discount_type varchar(16) CHECK (discount_type IN ('percentage', 'fixed')),
        discount_value numeric(14, 2),
        discount_amount numeric(14, 2) NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
        adjustment_amount numeric(14, 2) NOT NULL DEFAULT 0,
        adjustment_reason varchar(200),
        credit_applied numeric(14, 2) NOT NULL DEFAULT 0 CHECK (credit_applied >= 0),
        total numeric(14, 2) NOT NULL CHECK (total > 0),
        amount_paid numeric(14, 2) NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
        amount_refunded numeric(14, 2) NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
        due_date date NOT NULL,
        payment_methods text[] NOT NULL,
        installments integer NOT NULL DEFAULT 1 CHECK (installments >= 1),
        installment_plan jsonb NOT NULL DEFAULT '[]'::jsonb,
        description varchar(500),
        source varchar(16) NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'catalog', 'deal', 'booking', 'subscription')),
        source_id varchar(100),
        conversation_id varchar(100),
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        idempotency_key varchar(255),
        gateway_objects jsonb NOT NULL DEFAULT '[]'::jsonb,
        checkout_url text,
        pix_copy_paste text,
        pix_qr_code_png text,
        pix_expires_at timestamptz,
        boleto_url text,
        boleto_digitable_line varchar(60),
        boleto_barcode varchar(60),
        creation_attempts integer NOT NULL DEFAULT 0,
        creation_locked_until timestamptz,
        last_error text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        paid_at timestamptz,
        canceled_at timestamptz,
        CONSTRAINT uq_charges_account_number UNIQUE (account_id, number),
        CONSTRAINT uq_charges_account_idempotency UNIQUE (account_id, idempotency_key),
        CONSTRAINT ck_charges_refund_not_above_paid CHECK (amount_refunded <= amount_paid)
      )`);
    await queryRunner.query(`CREATE INDEX ix_charges_account_seq ON charges (account_id, seq DESC)`);
    await queryRunner.query(`CREATE INDEX ix_charges_account_customer ON charges (account_id, customer_id, seq DESC)`);
    await queryRunner.query(`CREATE INDEX ix_charges_pending ON charges (updated_at) WHERE status = 'pending'`);
    await queryRunner.query(`
      CREATE TABLE charge_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        charge_id uuid NOT NULL REFERENCES charges (id) ON DELETE CASCADE,
        position integer NOT NULL,
        product_id uuid REFERENCES products (id),
        description varchar(200) NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        unit_price numeric(14, 2) NOT NULL CHECK (unit_price > 0),
        total numeric(14, 2) NOT NULL,
        CONSTRAINT uq_charge_items_position UNIQUE (charge_id, position)
      )`);
    await queryRunner.query(`
      CREATE TYPE payment_status AS ENUM (
        'pending', 'processing', 'succeeded', 'failed', 'canceled', 'partial', 'refunded', 'partially_refunded'
      )`);
    await queryRunner.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        charge_id uuid NOT NULL REFERENCES charges (id),
        account_id varchar(64) NOT NULL,
        connection_id uuid NOT NULL REFERENCES gateway_connections (id),
        method varchar(16) NOT NULL,
        amount numeric(14, 2) NOT NULL,
        amount_received numeric(14, 2) NOT NULL DEFAULT 0,
        interest_amount numeric(14, 2) NOT NULL DEFAULT 0,
        fine_amount numeric(14, 2) NOT NULL DEFAULT 0,
        status payment_status NOT NULL DEFAULT 'pending',
        idempotency_key varchar(255) NOT NULL UNIQUE,
        gateway_object_kind varchar(16) NOT NULL DEFAULT 'payment',
        gateway_payment_id varchar(100) NOT NULL,
        provider_status varchar(64),
        provider_response jsonb,
        failure_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_payments_gateway_object UNIQUE (connection_id, gateway_object_kind, gateway_payment_id)
      )`);
    await queryRunner.query(`CREATE INDEX ix_payments_charge ON payments (charge_id)`);
    await queryRunner.query(`
      CREATE TABLE charge_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        charge_id uuid NOT NULL REFERENCES charges (id),
        account_id varchar(64) NOT NULL,
        conversation_id varchar(100) NOT NULL,
        kind varchar(16) NOT NULL DEFAULT 'charge',
        status varchar(16) NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        platform_message_id varchar(200),
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX ix_charge_messages_charge ON charge_messages (charge_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE charge_messages`);
    await queryRunner.query(`DROP TABLE payments`);
    await queryRunner.query(`DROP TYPE payment_status`);
    await queryRunner.query(`DROP TABLE charge_items`);
    await queryRunner.query(`DROP TABLE charges`);
    await queryRunner.query(`DROP TYPE charge_status`);
    await queryRunner.query(`DROP TABLE customer_gateway_links`);
    await queryRunner.query(`DROP TABLE customers`);
  }
}
