import { isDateOnly } from '@connector/util';
import { ValidateBy, ValidationOptions } from 'class-validator';

/** A calendar date without time or zone (`2026-11-01`): go-live dates, backfill windows, business dates. */
export function IsDateOnly(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateOnly',
      validator: {
        validate: (value: unknown) => isDateOnly(value),
        defaultMessage: (args) => `${args?.property} must be a date like "2026-11-01"`,
      },
    },
    options,
  );
}
