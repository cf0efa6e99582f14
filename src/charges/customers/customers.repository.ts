import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { queryRows } from '../../common/database/sql';
import { GatewayAddress } from '../../gateways/contract/payment-gateway';
import { Customer } from './customer.entity';

export interface CustomerUpsert {
  accountId: string;
  name: string;
  cpfCnpj: string;
  email: string | null;
  phone: string | null;
  address: GatewayAddress | null;
}

@Injectable()
export class CustomersRepository {
  constructor(@InjectRepository(Customer) private readonly customers: Repository<Customer>) {}

  findInAccount(accountId: string, id: string): Promise<Customer | null> {
    return this.customers.findOneBy({ accountId, id });
  }

  findById(id: string): Promise<Customer | null> {
    return this.customers.findOneBy({ id });
  }

  /** One customer per document per account; the latest contact details win. */
  async upsertByDocument(manager: EntityManager, customer: CustomerUpsert): Promise<Customer> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO customers (account_id, name, cpf_cnpj, email, phone, address) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (account_id, cpf_cnpj) DO UPDATE SET name = EXCLUDED.name,
         email = coalesce(EXCLUDED.email, customers.email), phone = coalesce(EXCLUDED.phone, customers.phone),
         address = coalesce(EXCLUDED.address, customers.address), updated_at = now()
       RETURNING id`,
      [customer.accountId, customer.name, customer.cpfCnpj, customer.email, customer.phone, customer.address ? JSON.stringify(customer.address) : null],
    );
    return manager.getRepository(Customer).findOneByOrFail({ id: rows[0].id });
  }

  async findGatewayLink(connectionId: string, customerId: string): Promise<string | null> {
    const rows = await queryRows<{ gateway_customer_id: string }>(
      this.customers.manager,
      `SELECT gateway_customer_id FROM customer_gateway_links WHERE connection_id = $1 AND customer_id = $2`,
      [connectionId, customerId],
    );
    return rows[0]?.gateway_customer_id ?? null;
  }

  async saveGatewayLink(connectionId: string, customerId: string, gatewayCustomerId: string): Promise<void> {
    await this.customers.query(
      `INSERT INTO customer_gateway_links (connection_id, customer_id, gateway_customer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [connectionId, customerId, gatewayCustomerId],
    );
  }
}
