import { IsISO8601, IsObject, IsOptional, IsString } from 'class-validator';
import { IsEntityId } from '../../validation/entity-id.decorator';

export const ST_APPOINTMENT_EVENT = 'servicetitan.appointment.event';

export class ServiceTitanAppointmentEventV1 {
  @IsString() event!: string;
  @IsEntityId() appointmentId!: number;
  @IsEntityId() jobId!: number;
  @IsOptional() @IsString() status?: string | null;
  @IsISO8601() modifiedOn!: string;
  @IsString() sourceEventId!: string;
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
