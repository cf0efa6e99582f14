import { MigrationInterface, QueryRunner } from 'typeorm';

export class RefundsAndRetries1764000007000 implements MigrationInterface {
  name = 'RefundsAndRetries1764000007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Retried payment attempts use the reference "<charge id>:retry:<n>".
    await queryRunner.query(`ALTER TABLE charges ADD COLUMN retry_count integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`CREATE INDEX ix_refunds_pending ON refunds (updated_at) WHERE status = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ix_refunds_pending`);
    await queryRunner.query(`ALTER TABLE charges DROP COLUMN retry_count`);
  }
}
