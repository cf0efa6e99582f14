import Big from 'big.js';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { moneyTransformer } from '../common/money/money.transformer';
import { Charge } from './charge.entity';

@Entity('charge_items')
export class ChargeItem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ManyToOne(() => Charge, (charge) => charge.items)
  @JoinColumn({ name: 'charge_id' })
  charge: Charge;

  @Column({ type: 'integer' })
  position: number;

  /** Set when the item came from the catalog; name and price are copied so later catalog edits change nothing. */
  @Column({ name: 'product_id', type: 'uuid', nullable: true })
  productId: string | null;

  @Column({ type: 'varchar', length: 200 })
  description: string;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ name: 'unit_price', type: 'numeric', precision: 14, scale: 2, transformer: moneyTransformer })
  unitPrice: Big;

  @Column({ type: 'numeric', precision: 14, scale: 2, transformer: moneyTransformer })
  total: Big;
}
