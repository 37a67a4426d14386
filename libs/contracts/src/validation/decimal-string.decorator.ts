import { decimalProblem } from '@connector/decimal';
import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * Money and quantities travel as decimal strings of @connector/decimal's grammar ("1234.50", "-45.10"; no exponent,
 * spaces or sign; |x| < 10^15, ≤ 18 places), never JSON numbers. The message says what is wrong.
 */
export function IsDecimalString(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDecimalString',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && decimalProblem(value) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'string'
            ? `${args.property} must be a decimal string like "1234.50": ${decimalProblem(args.value)}`
            : `${args?.property} must be a decimal string like "1234.50"`,
      },
    },
    options,
  );
}
