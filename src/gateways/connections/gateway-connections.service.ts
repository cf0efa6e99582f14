import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../common/config/app-config';
import { APP_CONFIG } from '../../common/config/config.module';
import { SecretBox } from '../../common/crypto/secret-box';
import { ApiError } from '../../common/errors/api-error';
import { decodeCursor, Page, pageSize, toPage } from '../../common/http/pagination';
import { OutboundEventsService } from '../../webhooks/outbound/outbound-events.service';
import { GatewayContext, GatewayCredentials, GatewayError, PAYMENT_GATEWAY, PaymentGateway, PaymentMethod, ProviderId } from '../contract/payment-gateway';
import { PaymentGatewayRegistry } from '../gateway-registry';
import { GATEWAY_SECRET_BOX } from '../gateway-tokens';
import { GatewayConnection } from './gateway-connection.entity';
import { CreateGatewayConnectionDto, ListConnectionsQueryDto } from './gateway-connections.dto';
import { GatewayConnectionsRepository } from './gateway-connections.repository';

export interface GatewayConnectionView {
  id: string;
  provider: ProviderId;
  environment: string;
  label: string | null;
  status: string;
  statusReason: string | null;
  webhookUrl: string;
  paymentMethods: PaymentMethod[];
  capabilities: { partialRefund: boolean; maxInstallments: Record<PaymentMethod, number> };
  providerAccountName: string | null;
  createdAt: string;
  updatedAt: string;
}

@Injectable()
export class GatewayConnectionsService {
  private readonly logger = new Logger('GatewayConnections');

  constructor(
    private readonly connections: GatewayConnectionsRepository,
    @Inject(PAYMENT_GATEWAY) private readonly registry: PaymentGatewayRegistry,
    @Inject(GATEWAY_SECRET_BOX) private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: OutboundEventsService,
  ) {}

  async connect(accountId: string, input: CreateGatewayConnectionDto): Promise<GatewayConnectionView> {
    const adapter = this.registry.get(input.provider);
    const id = randomUUID();
    const credentials = requireCredentials(input);
    const ctx: GatewayContext = { connectionId: id, environment: input.environment, credentials };
    const account = await this.validate(adapter, ctx);
    const webhookId = await this.registerWebhook(adapter, ctx);
    const connection = await this.connections.insert({
      id,
      accountId,
      provider: input.provider,
      environment: input.environment,
      label: input.label ?? null,
      status: 'active',
      credentialsCiphertext: this.secrets.encryptJson(ctx.credentials),
      providerWebhookId: webhookId,
      providerAccountId: account.externalAccountId,
      providerAccountName: account.name,
    });
    this.logger.log({ msg: 'gateway connected', connectionId: id, accountId, provider: input.provider, environment: input.environment });
    return this.toView(connection);
  }

  async get(accountId: string, id: string): Promise<GatewayConnectionView> {
    return this.toView(await this.require(accountId, id));
  }

  async list(accountId: string, query: ListConnectionsQueryDto): Promise<Page<GatewayConnectionView>> {
    const limit = pageSize(query);
    const rows = await this.connections.list(accountId, decodeCursor(query.cursor), limit);
    return toPage(rows, limit, (row) => this.toView(row));
  }

  async disconnect(accountId: string, id: string): Promise<void> {
    if (!(await this.connections.markDisconnected(accountId, id))) throw ApiError.notFound('Gateway connection');
    this.logger.log({ msg: 'gateway disconnected', connectionId: id, accountId });
  }

  /** The connection a new charge goes to: the one named, or the account's only active one. */
  async resolveForCharge(accountId: string, id: string | undefined): Promise<GatewayConnection> {
    const connection = id ? await this.require(accountId, id) : await this.onlyActive(accountId);
    if (connection.status !== 'active') {
      throw ApiError.unprocessable('gateway_connection_unusable', `The gateway connection is ${connection.status}${connection.statusReason ? `: ${connection.statusReason}` : ''}; reconnect it with valid credentials`);
    }
    return connection;
  }

  findById(id: string): Promise<GatewayConnection | null> {
    return this.connections.findById(id);
  }

  adapterFor(connection: GatewayConnection): PaymentGateway {
    return this.registry.get(connection.provider);
  }

  contextFor(connection: GatewayConnection): GatewayContext {
    return { connectionId: connection.id, environment: connection.environment, credentials: this.secrets.decryptJson<GatewayCredentials>(connection.credentialsCiphertext) };
  }

  /** A 401 from the gateway after connecting: the connection becomes invalid and the platform is told once. */
  async markInvalid(connection: GatewayConnection, reason: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.connections.markInvalid(manager, connection.id, reason))) return;
      await this.events.record(manager, {
        accountId: connection.accountId,
        type: 'gateway_connection.invalid',
        data: { gatewayConnectionId: connection.id, provider: connection.provider, environment: connection.environment, reason },
      });
    });
    this.logger.warn({ msg: 'gateway connection marked invalid', connectionId: connection.id, reason });
  }

  webhookUrl(provider: ProviderId, connectionId: string): string {
    return `${this.config.publicBaseUrl}/webhooks/${provider}/${connectionId}`;
  }

  private async validate(adapter: PaymentGateway, ctx: GatewayContext) {
    try {
      return await adapter.validateCredentials(ctx);
    } catch (error) {
      throw toConnectError(error);
    }
  }

  private async registerWebhook(adapter: PaymentGateway, ctx: GatewayContext): Promise<string | null> {
    if (!adapter.capabilities.registersWebhookByApi) return null;
    // The token Asaas echoes in asaas-access-token; random, stored encrypted with the API key.
    ctx.credentials.webhookAuthToken = randomBytes(32).toString('base64url');
    try {
      return await adapter.registerWebhook(ctx, { url: this.webhookUrl(adapter.provider, ctx.connectionId), authToken: ctx.credentials.webhookAuthToken });
    } catch (error) {
      throw toConnectError(error);
    }
  }

  private async require(accountId: string, id: string): Promise<GatewayConnection> {
    const connection = await this.connections.findInAccount(accountId, id);
    if (!connection) throw ApiError.notFound('Gateway connection');
    return connection;
  }

  private async onlyActive(accountId: string): Promise<GatewayConnection> {
    const active = await this.connections.findActiveInAccount(accountId);
    if (active.length === 1) return active[0];
    throw ApiError.unprocessable(
      active.length === 0 ? 'gateway_not_connected' : 'gateway_connection_required',
      active.length === 0 ? 'The account has no active gateway connection; connect Asaas or Mercado Pago first' : 'The account has several active gateway connections; pass gatewayConnectionId',
      [{ field: 'gatewayConnectionId', message: 'gatewayConnectionId is required' }],
    );
  }

  private toView(connection: GatewayConnection): GatewayConnectionView {
    const capabilities = this.registry.get(connection.provider).capabilities;
    return {
      id: connection.id,
      provider: connection.provider,
      environment: connection.environment,
      label: connection.label,
      status: connection.status,
      statusReason: connection.statusReason,
      webhookUrl: this.webhookUrl(connection.provider, connection.id),
      paymentMethods: capabilities.paymentMethods,
      capabilities: { partialRefund: capabilities.partialRefund, maxInstallments: capabilities.maxInstallments },
      providerAccountName: connection.providerAccountName,
      createdAt: connection.createdAt.toISOString(),
      updatedAt: connection.updatedAt.toISOString(),
    };
  }
}

function requireCredentials(input: CreateGatewayConnectionDto): GatewayCredentials {
  const { apiKey, accessToken, webhookSecret } = input.credentials;
  if (input.provider === 'asaas') {
    if (!apiKey) throw ApiError.validation([{ field: 'credentials.apiKey', message: 'credentials.apiKey is required for Asaas' }]);
    if (accessToken || webhookSecret) throw ApiError.validation([{ field: 'credentials', message: 'Asaas takes only credentials.apiKey' }]);
    return { apiKey };
  }
  const missing = [!accessToken && 'accessToken', !webhookSecret && 'webhookSecret'].filter(Boolean) as string[];
  if (missing.length > 0) throw ApiError.validation(missing.map((field) => ({ field: `credentials.${field}`, message: `credentials.${field} is required for Mercado Pago` })));
  if (apiKey) throw ApiError.validation([{ field: 'credentials.apiKey', message: 'Mercado Pago takes credentials.accessToken and credentials.webhookSecret' }]);
  return { accessToken, webhookSecret };
}

function toConnectError(error: unknown): Error {
  if (!(error instanceof GatewayError)) return error as Error;
  if (error.kind === 'invalid_credentials') {
    return ApiError.unprocessable('invalid_gateway_credentials', `The gateway refused the credentials: ${error.providerMessage}`, [{ field: 'credentials', code: error.providerCode ?? undefined, message: error.providerMessage }]);
  }
  if (error.kind === 'validation') return ApiError.unprocessable('gateway_rejected_request', `The gateway rejected the request: ${error.providerMessage}`);
  return gatewayUnavailable(error);
}

export function gatewayUnavailable(error: GatewayError): ApiError {
  return new ApiError(502, 'gateway_unavailable', `The ${error.provider} gateway could not be reached or failed (${error.kind}); try again`);
}
