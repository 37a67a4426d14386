import { findUnsafeKey, jsonNestedDeeperThan } from '@connector/contracts';
import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';

/** Request bodies of the audit API are flat documents (a bulk replay's filter is the deepest, 2 levels). */
export const MAX_BODY_DEPTH = 8;

/**
 * The API's validation: DTO classes with unknown fields refused (whitelist + forbidNonWhitelisted), after two checks
 * class-transformer cannot be trusted with: nesting is bounded (it recurses, so a deep body was a stack overflow and a
 * 500), and "__proto__" / "constructor" / "prototype" keys are refused (it assigns "__proto__" as the DTO's
 * prototype, so a smuggled filter field would pass validation as an inherited value).
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({ transform: true, whitelist: true, forbidNonWhitelisted: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      if (jsonNestedDeeperThan(value, MAX_BODY_DEPTH))
        throw new BadRequestException(`request ${metadata.type} is nested deeper than ${MAX_BODY_DEPTH} levels`);
      const key = findUnsafeKey(value);
      if (key !== null) throw new BadRequestException(`request ${metadata.type} must not contain the key "${key}"`);
    }
    return super.transform(value, metadata);
  }
}
