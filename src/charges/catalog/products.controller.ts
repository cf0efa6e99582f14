import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccountScoped, CurrentAccount, Roles } from '../../accounts/auth/decorators';
import { AccountPrincipal, ADMIN_ROLES, READ_ROLES } from '../../accounts/auth/principal';
import { Page } from '../../common/http/pagination';
import { ParseIdPipe } from '../../common/http/parse-id.pipe';
import { Idempotent } from '../../common/idempotency/idempotency.interceptor';
import { CreateProductDto, ListProductsQueryDto, UpdateProductDto } from './products.dto';
import { ProductsService, ProductView } from './products.service';

@ApiTags('catalog')
@Controller('v1/products')
@AccountScoped()
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Post()
  @Roles(...ADMIN_ROLES)
  @Idempotent()
  create(@CurrentAccount() principal: AccountPrincipal, @Body() body: CreateProductDto): Promise<ProductView> {
    return this.products.create(principal.accountId, body);
  }

  @Get()
  @Roles(...READ_ROLES)
  list(@CurrentAccount() principal: AccountPrincipal, @Query() query: ListProductsQueryDto): Promise<Page<ProductView>> {
    return this.products.list(principal.accountId, query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  get(@CurrentAccount() principal: AccountPrincipal, @Param('id', new ParseIdPipe('Product')) id: string): Promise<ProductView> {
    return this.products.get(principal.accountId, id);
  }

  @Patch(':id')
  @Roles(...ADMIN_ROLES)
  update(@CurrentAccount() principal: AccountPrincipal, @Param('id', new ParseIdPipe('Product')) id: string, @Body() body: UpdateProductDto): Promise<ProductView> {
    return this.products.update(principal.accountId, id, body);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @Roles(...ADMIN_ROLES)
  deactivate(@CurrentAccount() principal: AccountPrincipal, @Param('id', new ParseIdPipe('Product')) id: string): Promise<ProductView> {
    return this.products.deactivate(principal.accountId, id);
  }
}
