import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../../common/errors/api-error';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './decorators';
import { Principal, Role } from './principal';

/** Every non-public route must declare its roles; a route that forgets is closed, not open. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const allowed = this.reflector.getAllAndOverride<Role[]>(ALLOWED_ROLES, targets) ?? [];
    const principal: Principal = context.switchToHttp().getRequest().principal;
    if (!allowed.includes(principal.role)) {
      throw ApiError.forbidden('forbidden_role', `The ${principal.role} role cannot do this`);
    }
    return true;
  }
}
