import { createParamDecorator, ExecutionContext, SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { AccountPrincipal, Principal, Role } from './principal';

export const PUBLIC_ROUTE = 'payments:public-route';
export const ALLOWED_ROLES = 'payments:allowed-roles';
export const ACCOUNT_SCOPED = 'payments:account-scoped';

/** No principal needed (health, docs, gateway webhooks that authenticate themselves). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const Roles = (...roles: Role[]) => applyDecorators(SetMetadata(ALLOWED_ROLES, roles), ApiBearerAuth());

/** The route acts inside the caller's account and requires the Payments module to be enabled there. */
export const AccountScoped = () => applyDecorators(SetMetadata(ACCOUNT_SCOPED, true), ApiBearerAuth());

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().principal;
});

export const CurrentAccount = createParamDecorator((_data: unknown, context: ExecutionContext): AccountPrincipal => {
  return context.switchToHttp().getRequest().principal;
});
