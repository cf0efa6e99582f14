import Big from 'big.js';
import { ValueTransformer } from 'typeorm';

/** numeric column <-> Big, never through a JS float. */
export const moneyTransformer: ValueTransformer = {
  to: (value: Big | null | undefined) => (value === null || value === undefined ? value : value.toFixed(2)),
  from: (value: string | null) => (value === null ? null : new Big(value)),
};
