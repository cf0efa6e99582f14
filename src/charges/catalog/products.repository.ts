import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Product } from './product.entity';

export interface ProductListFilter {
  active?: boolean;
  beforeSeq: bigint | null;
  limit: number;
}

/** Every query carries the account: another account's product is simply not found. */
@Injectable()
export class ProductsRepository {
  constructor(@InjectRepository(Product) private readonly products: Repository<Product>) {}

  insert(product: Partial<Product>): Promise<Product> {
    return this.products.save(this.products.create(product));
  }

  findInAccount(accountId: string, id: string): Promise<Product | null> {
    return this.products.findOneBy({ accountId, id });
  }

  findManyInAccount(accountId: string, ids: string[]): Promise<Product[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.products.createQueryBuilder('p').where('p.account_id = :accountId AND p.id IN (:...ids)', { accountId, ids }).getMany();
  }

  save(product: Product): Promise<Product> {
    return this.products.save(product);
  }

  list(accountId: string, filter: ProductListFilter): Promise<Product[]> {
    const query = this.products.createQueryBuilder('p').where('p.account_id = :accountId', { accountId });
    if (filter.active !== undefined) query.andWhere('p.active = :active', { active: filter.active });
    if (filter.beforeSeq !== null) query.andWhere('p.seq < :seq', { seq: filter.beforeSeq.toString() });
    return query.orderBy('p.seq', 'DESC').limit(filter.limit + 1).getMany();
  }
}
