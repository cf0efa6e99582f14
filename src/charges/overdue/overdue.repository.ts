import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../../common/database/sql';
import { OutboundEventsService } from '../../webhooks/outbound/outbound-events.service';
import { Charge } from '../charge.entity';
import { toChargeView } from '../charge.view';

@Injectable()
export class OverdueRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: OutboundEventsService,
  ) {}

  /** Marks due charges overdue and writes one charge.overdue event each, in one transaction. */
  async markOverdue(providers: string[], today: string): Promise<number> {
    if (providers.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows<{ id: string }>(
        manager,
        `UPDATE charges c SET status = 'overdue', version = version + 1, updated_at = now()
         FROM gateway_connections g
         WHERE g.id = c.connection_id AND g.provider = ANY($1::gateway_provider[])
           AND c.status IN ('awaiting_payment', 'partially_paid') AND c.due_date < $2::date
         RETURNING c.id`,
        [providers, today],
      );
      for (const { id } of rows) {
        const charge = await manager.getRepository(Charge).findOneOrFail({ where: { id }, relations: { items: true } });
        await this.events.record(manager, { accountId: charge.accountId, type: 'charge.overdue', data: { charge: { ...toChargeView(charge), pix: undefined } } });
      }
      return rows.length;
    });
  }
}
