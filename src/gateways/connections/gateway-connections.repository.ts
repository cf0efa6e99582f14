import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { queryRows } from '../../common/database/sql';
import { GatewayConnection } from './gateway-connection.entity';

@Injectable()
export class GatewayConnectionsRepository {
  constructor(@InjectRepository(GatewayConnection) private readonly connections: Repository<GatewayConnection>) {}

  insert(connection: Partial<GatewayConnection>): Promise<GatewayConnection> {
    return this.connections.save(this.connections.create(connection));
  }

  findInAccount(accountId: string, id: string): Promise<GatewayConnection | null> {
    return this.connections.findOneBy({ accountId, id });
  }

  /** For webhooks, which arrive without a principal: the connection id in the URL is the only key. */
  findById(id: string): Promise<GatewayConnection | null> {
    return this.connections.findOneBy({ id });
  }

  findActiveInAccount(accountId: string): Promise<GatewayConnection[]> {
    return this.connections.find({ where: { accountId, status: 'active' }, order: { seq: 'DESC' } });
  }

  list(accountId: string, beforeSeq: bigint | null, limit: number): Promise<GatewayConnection[]> {
    const query = this.connections.createQueryBuilder('c').where('c.account_id = :accountId', { accountId });
    if (beforeSeq !== null) query.andWhere('c.seq < :seq', { seq: beforeSeq.toString() });
    return query.orderBy('c.seq', 'DESC').limit(limit + 1).getMany();
  }

  async markDisconnected(accountId: string, id: string): Promise<boolean> {
    const result = await this.connections.update({ accountId, id }, { status: 'disconnected', statusReason: 'disconnected by an admin' });
    return (result.affected ?? 0) > 0;
  }

  /** Flips an active connection to invalid; true only for the caller that flipped it (one event per flip). */
  async markInvalid(manager: EntityManager, id: string, reason: string): Promise<boolean> {
    const rows = await queryRows(
      manager,
      `UPDATE gateway_connections SET status = 'invalid', status_reason = $2, updated_at = now() WHERE id = $1 AND status = 'active' RETURNING id`,
      [id, reason],
    );
    return rows.length > 0;
  }
}
