import { isDecimalString } from '@connector/decimal';
import { ValidateBy, ValidationOptions } from 'class-validator';

/** Money and quantities travel as canonical decimal strings ("1234.50"), never JSON numbers. */
export function IsDecimalString(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDecimalString',
      validator: {
        validate: (value: unknown) => isDecimalString(value),
        defaultMessage: (args) => `${args?.property} must be a decimal string like "1234.50"`,
      },
    },
    options,
  );
}
