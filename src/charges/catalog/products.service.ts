import { Injectable } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';
import { decodeCursor, Page, pageSize, toPage } from '../../common/http/pagination';
import { parseAmount, toMoneyNumber } from '../../common/money/money';
import { Product } from './product.entity';
import { CreateProductDto, ListProductsQueryDto, UpdateProductDto } from './products.dto';
import { ProductsRepository } from './products.repository';

export interface ProductView {
  id: string;
  name: string;
  description: string | null;
  unitPrice: number;
  currency: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

@Injectable()
export class ProductsService {
  constructor(private readonly products: ProductsRepository) {}

  async create(accountId: string, input: CreateProductDto): Promise<ProductView> {
    const unitPrice = parseAmount(input.unitPrice, { field: 'unitPrice' });
    const product = await this.products.insert({ accountId, name: input.name.trim(), description: input.description ?? null, unitPrice });
    return toProductView(product);
  }

  async get(accountId: string, id: string): Promise<ProductView> {
    return toProductView(await this.require(accountId, id));
  }

  async update(accountId: string, id: string, input: UpdateProductDto): Promise<ProductView> {
    const product = await this.require(accountId, id);
    if (input.unitPrice !== undefined) product.unitPrice = parseAmount(input.unitPrice, { field: 'unitPrice' });
    if (input.name !== undefined) product.name = input.name.trim();
    if (input.description !== undefined) product.description = input.description;
    if (input.active !== undefined) product.active = input.active;
    return toProductView(await this.products.save(product));
  }

  async deactivate(accountId: string, id: string): Promise<ProductView> {
    return this.update(accountId, id, { active: false });
  }

  async list(accountId: string, query: ListProductsQueryDto): Promise<Page<ProductView>> {
    const limit = pageSize(query);
    const rows = await this.products.list(accountId, { active: query.active, beforeSeq: decodeCursor(query.cursor), limit });
    return toPage(rows, limit, toProductView);
  }

  /** Active products of the account by id, for copying onto charge items; unknown or inactive ids are 422. */
  async requireActive(accountId: string, ids: string[]): Promise<Map<string, Product>> {
    const found = new Map((await this.products.findManyInAccount(accountId, [...new Set(ids)])).map((product) => [product.id, product]));
    const unusable = ids.filter((id) => !found.get(id)?.active);
    if (unusable.length > 0) {
      throw ApiError.unprocessable('product_unavailable', 'Some products do not exist or are inactive', unusable.map((id) => ({ field: 'items.productId', message: `product ${id} does not exist or is inactive` })));
    }
    return found;
  }

  private async require(accountId: string, id: string): Promise<Product> {
    const product = await this.products.findInAccount(accountId, id);
    if (!product) throw ApiError.notFound('Product');
    return product;
  }
}

export function toProductView(product: Product): ProductView {
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    unitPrice: toMoneyNumber(product.unitPrice),
    currency: product.currency,
    active: product.active,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}
