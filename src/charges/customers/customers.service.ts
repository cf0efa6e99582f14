import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiError } from '../../common/errors/api-error';
import { GatewayAddress, GatewayCustomerInput } from '../../gateways/contract/payment-gateway';
import { GatewayConnection } from '../../gateways/connections/gateway-connection.entity';
import { GatewayClient } from '../../gateways/gateway-client';
import { normalizeCpfCnpj } from '../domain/document';
import { Customer } from './customer.entity';
import { CustomersRepository } from './customers.repository';

export interface InlineCustomer {
  name: string;
  cpfCnpj: string;
  email?: string | null;
  phone?: string | null;
  address?: GatewayAddress | null;
}

@Injectable()
export class CustomersService {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly gateways: GatewayClient,
  ) {}

  /** Validates the document's check digits; 422 invalid_cpf_cnpj otherwise. */
  normalizeDocument(cpfCnpj: string, field = 'customer.cpfCnpj'): string {
    const digits = normalizeCpfCnpj(cpfCnpj);
    if (!digits) throw ApiError.unprocessable('invalid_cpf_cnpj', 'The CPF/CNPJ is not valid', [{ field, message: `${field} must be a valid CPF (11 digits) or CNPJ (14 digits)` }]);
    return digits;
  }

  async requireInAccount(accountId: string, id: string): Promise<Customer> {
    const customer = await this.customers.findInAccount(accountId, id);
    if (!customer) throw ApiError.unprocessable('customer_not_found', 'The customer does not exist in this account', [{ field: 'customerId', message: 'unknown customerId' }]);
    return customer;
  }

  /** Serializes changes that take credit away from the customer. */
  async lock(manager: EntityManager, customerId: string): Promise<void> {
    await manager.query(`SELECT id FROM customers WHERE id = $1 FOR UPDATE`, [customerId]);
  }

  findInAccount(accountId: string, id: string): Promise<Customer | null> {
    return this.customers.findInAccount(accountId, id);
  }

  async require(id: string): Promise<Customer> {
    const customer = await this.customers.findById(id);
    if (!customer) throw new Error(`customer ${id} vanished`);
    return customer;
  }

  upsert(manager: EntityManager, accountId: string, customer: InlineCustomer): Promise<Customer> {
    return this.customers.upsertByDocument(manager, {
      accountId,
      name: customer.name.trim(),
      cpfCnpj: this.normalizeDocument(customer.cpfCnpj),
      email: customer.email ?? null,
      phone: customer.phone ? customer.phone.replace(/\D/g, '') : null,
      address: customer.address ?? null,
    });
  }

  /** The gateway's customer id for this connection, created at the gateway once and remembered. */
  async gatewayCustomerId(connection: GatewayConnection, customer: GatewayCustomerInput): Promise<string | null> {
    const linked = await this.customers.findGatewayLink(connection.id, customer.externalReference);
    if (linked) return linked;
    const created = await this.gateways.call(connection, (adapter, ctx) => adapter.ensureCustomer(ctx, customer));
    if (created) await this.customers.saveGatewayLink(connection.id, customer.externalReference, created);
    return created;
  }
}

export function toGatewayCustomer(customer: Customer): GatewayCustomerInput {
  return { name: customer.name, cpfCnpj: customer.cpfCnpj, email: customer.email, phone: customer.phone, address: customer.address, externalReference: customer.id };
}
