import { IsInt, IsISO8601, IsObject, IsOptional, IsString } from 'class-validator';

export const ST_APPOINTMENT_EVENT = 'servicetitan.appointment.event';

export class ServiceTitanAppointmentEventV1 {
  @IsString() event!: string;
  @IsInt() appointmentId!: number;
  @IsInt() jobId!: number;
  @IsOptional() @IsString() status?: string | null;
  @IsISO8601() modifiedOn!: string;
  @IsString() sourceEventId!: string;
  @IsOptional() @IsObject() raw?: Record<string, unknown>;
}
