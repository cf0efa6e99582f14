import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * Lets a money field through validation as a number or numeric string; the service parses it with
 * parseAmount, which owns the 422 invalid_amount rules (decimals, sign, range).
 */
export function IsMoneyInput(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isMoneyInput',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be an amount such as 49.90`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'number' || typeof value === 'string' },
    });
}
