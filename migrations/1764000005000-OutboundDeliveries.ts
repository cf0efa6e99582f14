import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery of outbound events: a lease on each event (locked_until, locked_by) so that one worker at a time
 * delivers it, the retry window that redelivery restarts, and a log row per attempt.
 */
export class OutboundDeliveries1764000005000 implements MigrationInterface {
  name = 'OutboundDeliveries1764000005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE outbound_events
        ADD COLUMN locked_until timestamptz,
        ADD COLUMN locked_by uuid,
        ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0,
        ADD COLUMN retry_window_started_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`UPDATE outbound_events SET retry_window_started_at = created_at`);
    await queryRunner.query(`
      CREATE TABLE outbound_event_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES outbound_events (id),
        attempt integer NOT NULL,
        status_code integer,
        error text,
        duration_ms integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ix_outbound_event_deliveries_event ON outbound_event_deliveries (event_id, attempt)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbound_event_deliveries`);
    await queryRunner.query(`
      ALTER TABLE outbound_events
        DROP COLUMN retry_window_started_at,
        DROP COLUMN consecutive_failures,
        DROP COLUMN locked_by,
        DROP COLUMN locked_until`);
  }
}
