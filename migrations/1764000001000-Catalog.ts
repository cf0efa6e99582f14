import { MigrationInterface, QueryRunner } from 'typeorm';

export class Catalog1764000001000 implements MigrationInterface {
  name = 'Catalog1764000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE products (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        account_id varchar(64) NOT NULL REFERENCES accounts (id),
        name varchar(200) NOT NULL,
        description text,
        unit_price numeric(14, 2) NOT NULL CHECK (unit_price > 0),
        currency char(3) NOT NULL DEFAULT 'BRL',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ix_products_account_seq ON products (account_id, seq DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE products`);
  }
}
