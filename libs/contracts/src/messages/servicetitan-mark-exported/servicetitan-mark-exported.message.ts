import { IsIn, IsOptional, IsString } from 'class-validator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_MARK_EXPORTED = 'servicetitan.command.mark-exported';

/**
 * Write-back (off by default, per tenant): tell ServiceTitan that the invoice or inventory bill reached Sage X3 as
 * `x3DocumentNumber`. On `connector.servicetitan.command.v1` (key tenant), published by the mapper after X3
 * confirmed the document; the tenant's owner sends the marks in batches.
 */
export class MarkExportedCommandV1 {
  @IsIn(['invoice', 'inventory-bill']) entity!: 'invoice' | 'inventory-bill';
  @IsEntityId() id!: number;
  @IsString() x3DocumentNumber!: string;
  /** The connector's external reference of the X3 document. */
  @IsString() externalRef!: string;
  @IsOptional() @IsString() externalMessage?: string | null;
}
