import { MigrationInterface, QueryRunner } from 'typeorm';

export class Reminders1764000006000 implements MigrationInterface {
  name = 'Reminders1764000006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A reminder row is claimed under its dedupe key before the message is posted: one per charge and offset.
    await queryRunner.query(`
      ALTER TABLE charge_messages
        ADD COLUMN dedupe_key varchar(200),
        ADD COLUMN attempts integer NOT NULL DEFAULT 1,
        ADD COLUMN claimed_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN skip_reason varchar(64),
        ADD CONSTRAINT uq_charge_messages_dedupe_key UNIQUE (dedupe_key)`);
    await queryRunner.query(`ALTER TABLE charge_messages DROP CONSTRAINT charge_messages_status_check`);
    await queryRunner.query(`ALTER TABLE charge_messages ADD CONSTRAINT ck_charge_messages_status CHECK (status IN ('sending', 'sent', 'failed', 'skipped'))`);
    await queryRunner.query(`
      CREATE INDEX ix_charges_reminder_candidates ON charges (seq)
      WHERE conversation_id IS NOT NULL AND status IN ('awaiting_payment', 'partially_paid', 'overdue')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX ix_charges_reminder_candidates`);
    await queryRunner.query(`DELETE FROM charge_messages WHERE status = 'skipped'`);
    await queryRunner.query(`ALTER TABLE charge_messages DROP CONSTRAINT ck_charge_messages_status`);
    await queryRunner.query(`ALTER TABLE charge_messages ADD CONSTRAINT charge_messages_status_check CHECK (status IN ('sending', 'sent', 'failed'))`);
    await queryRunner.query(`
      ALTER TABLE charge_messages
        DROP CONSTRAINT uq_charge_messages_dedupe_key,
        DROP COLUMN skip_reason,
        DROP COLUMN claimed_at,
        DROP COLUMN attempts,
        DROP COLUMN dedupe_key`);
  }
}
