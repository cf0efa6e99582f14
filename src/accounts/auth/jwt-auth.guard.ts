import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { createSecretKey, KeyObject } from 'node:crypto';
import { AppConfig } from '../../common/config/app-config';
import { APP_CONFIG } from '../../common/config/config.module';
import { ApiError } from '../../common/errors/api-error';
import { PUBLIC_ROUTE } from './decorators';
import { Principal, ROLES, Role } from './principal';

/** Verifies the platform's HS256 JWT (sub, accountId, role, exp) and puts the principal on the request. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  // A KeyObject built once: given a string, jsonwebtoken first tries (and fails) to parse it as a public key on every request.
  private readonly secret: KeyObject;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.secret = createSecretKey(Buffer.from(config.authJwtSecret, 'utf8'));
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest();
    request.principal = this.verify(bearerToken(request.headers.authorization));
    return true;
  }

  private verify(token: string | null): Principal {
    if (!token) throw ApiError.unauthorized();
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: ['HS256'], requireExp: true } as jwt.VerifyOptions) as jwt.JwtPayload;
    } catch (error) {
      throw ApiError.unauthorized(error instanceof jwt.TokenExpiredError ? 'The token has expired' : 'The token is invalid');
    }
    return toPrincipal(claims);
  }
}

function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}

function toPrincipal(claims: jwt.JwtPayload): Principal {
  const role = claims.role as Role;
  if (typeof claims.sub !== 'string' || !ROLES.includes(role)) throw ApiError.unauthorized('The token lacks a valid sub or role claim');
  const accountId = typeof claims.accountId === 'string' && claims.accountId.length > 0 ? claims.accountId : null;
  if (role !== 'operator' && !accountId) throw ApiError.unauthorized('The token lacks the accountId claim');
  if (accountId && accountId.length > 64) throw ApiError.unauthorized('The accountId claim is too long');
  return { userId: claims.sub, accountId, role };
}
