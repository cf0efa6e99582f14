import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { ApiError } from '../errors/api-error';
import { containsCardData } from './card-data';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Refuses card data before validation, idempotency or any handler can store or log it. */
@Injectable()
export class CardDataGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!WRITE_METHODS.has(request.method) || !request.path.startsWith('/v1/')) return true;
    if (containsCardData(request.body)) {
      throw ApiError.unprocessable('card_data_not_accepted', 'Card data is never accepted; the customer pays by card only on the hosted checkout (checkoutUrl)');
    }
    return true;
  }
}
