import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { decodeCursor, Page, pageSize, toPage } from '../common/http/pagination';
import { Charge } from './charge.entity';
import { ChargeView, toChargeView } from './charge.view';
import { ListChargesQueryDto } from './charges.dto';
import { ChargesRepository } from './charges.repository';

@Injectable()
export class ChargesService {
  constructor(private readonly charges: ChargesRepository) {}

  async get(accountId: string, id: string): Promise<ChargeView> {
    return toChargeView(await this.require(accountId, id));
  }

  async require(accountId: string, id: string): Promise<Charge> {
    const charge = await this.charges.findInAccount(accountId, id);
    if (!charge) throw ApiError.notFound('Charge');
    return charge;
  }

  /** For background work that starts from a row id rather than a principal. */
  async requireById(id: string): Promise<Charge> {
    const charge = await this.charges.findById(id);
    if (!charge) throw ApiError.notFound('Charge');
    return charge;
  }

  async list(accountId: string, query: ListChargesQueryDto): Promise<Page<ChargeView>> {
    const limit = pageSize(query);
    const rows = await this.charges.list(accountId, {
      statuses: query.status,
      customerId: query.customerId,
      createdFrom: query.from,
      createdTo: query.to,
      dueFrom: query.dueFrom,
      dueTo: query.dueTo,
      beforeSeq: decodeCursor(query.cursor),
      limit,
    });
    return toPage(rows, limit, toChargeView);
  }
}
