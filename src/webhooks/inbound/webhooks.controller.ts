import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Request } from 'express';
import { Public } from '../../accounts/auth/decorators';
import { RawWebhookRequest } from '../../gateways/contract/payment-gateway';
import { IngestionResult, WebhookIngestionService } from './webhook-ingestion.service';

/** Gateway notifications. They authenticate themselves (asaas-access-token, x-signature), not with a JWT. */
@ApiExcludeController()
@Controller('webhooks')
@Public()
export class WebhooksController {
  constructor(private readonly ingestion: WebhookIngestionService) {}

  @Post('asaas/:connectionId')
  @HttpCode(200)
  asaas(@Param('connectionId') connectionId: string, @Req() request: Request): Promise<IngestionResult> {
    return this.ingestion.ingest('asaas', connectionId, toRaw(request));
  }

  @Post('mercadopago/:connectionId')
  @HttpCode(200)
  mercadoPago(@Param('connectionId') connectionId: string, @Req() request: Request): Promise<IngestionResult> {
    return this.ingestion.ingest('mercadopago', connectionId, toRaw(request));
  }
}

function toRaw(request: Request & { rawBody?: Buffer }): RawWebhookRequest {
  const query = Object.fromEntries(Object.entries(request.query).map(([key, value]) => [key, typeof value === 'string' ? value : undefined]));
  return { headers: request.headers, query, rawBody: request.rawBody ?? Buffer.alloc(0) };
}
