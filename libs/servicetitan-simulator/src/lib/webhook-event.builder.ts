import { randomUUID } from 'node:crypto';
import type { Invoice, InvoiceItem, Job } from '@connector/servicetitan';

/**
 * Builders for webhook payloads. V1 (LEGACY, the only documented shape): the entity's fields at the top level plus
 * `eventId`, `webhookId`, `__eventInfo{eventId, webhookId, webhookType}` and `__tenantInfo{id, name}`. V2: see
 * buildWebhookEventV2 (an assumption, configurable). Event names are not officially published either.
 */
export interface WebhookEventInfo {
  eventId: string;
  webhookId: number;
  webhookType: string;
}

export interface WebhookTenantInfo {
  id: number;
  name: string;
}

export type LegacyWebhookEvent<E extends object = Record<string, unknown>> = E & {
  eventId: string;
  webhookId: number;
  __eventInfo: WebhookEventInfo;
  __tenantInfo: WebhookTenantInfo;
};

export interface BuildWebhookEventInput<E extends object> {
  webhookType: string;
  tenant: WebhookTenantInfo;
  entity: E;
  /** Default: a random UUID. */
  eventId?: string;
  /** Default: 1. */
  webhookId?: number;
}

export function buildWebhookEvent<E extends object>(input: BuildWebhookEventInput<E>): LegacyWebhookEvent<E> {
  const eventId = input.eventId ?? randomUUID();
  const webhookId = input.webhookId ?? 1;
  return {
    ...input.entity,
    eventId,
    webhookId,
    __eventInfo: { eventId, webhookId, webhookType: input.webhookType },
    __tenantInfo: { id: input.tenant.id, name: input.tenant.name },
  };
}

/** `invoice` block of a JobCompleted event. Amounts are strings, as in the accounting API. */
export interface JobCompletedInvoice {
  id: number;
  number: string | null;
  total: string | null;
  items: InvoiceItem[];
}

export type JobCompletedEvent = LegacyWebhookEvent<Job & { invoice: JobCompletedInvoice }>;

export interface BuildJobCompletedEventInput {
  tenant: WebhookTenantInfo;
  /** The job as the jobs API returns it (jobStatus is forced to Completed). */
  job: Job;
  invoice: Pick<Invoice, 'id' | 'referenceNumber' | 'total' | 'items'>;
  eventId?: string;
  webhookId?: number;
  /** Default: the job's completedOn, else its modifiedOn. */
  completedOn?: string;
}

export function buildJobCompletedEvent(input: BuildJobCompletedEventInput): JobCompletedEvent {
  const completedOn = input.completedOn ?? input.job.completedOn ?? input.job.modifiedOn;
  return buildWebhookEvent({
    webhookType: 'JobCompleted',
    tenant: input.tenant,
    eventId: input.eventId,
    webhookId: input.webhookId,
    entity: {
      ...input.job,
      jobStatus: 'Completed',
      completedOn,
      invoiceId: input.invoice.id,
      invoice: {
        id: input.invoice.id,
        number: input.invoice.referenceNumber ?? null,
        total: input.invoice.total ?? null,
        items: input.invoice.items ?? [],
      },
    },
  });
}

/**
 * V2-style webhook body. ASSUMPTION: ServiceTitan has not published the V2 payload; its docs only say V2 payloads
 * are "closer aligned with our APIs". The simulator's default is an envelope with the event's identity and the
 * entity as the API returns it:
 *   { "eventId", "eventType", "tenantId", "createdOn", "data": { "id", … } }
 * Every field name, and whether `data` carries the whole entity or only its id, is configurable, so tests can try
 * other plausible shapes against the connector's configurable field paths.
 */
export interface WebhookV2Shape {
  eventIdField: string;
  eventTypeField: string;
  tenantIdField: string;
  createdOnField: string;
  dataField: string;
  /** `full`: data is the entity as the API returns it; `id`: data is `{ id }` only. */
  data: 'full' | 'id';
}

export const DEFAULT_WEBHOOK_V2_SHAPE: Readonly<WebhookV2Shape> = {
  eventIdField: 'eventId',
  eventTypeField: 'eventType',
  tenantIdField: 'tenantId',
  createdOnField: 'createdOn',
  dataField: 'data',
  data: 'full',
};

export interface BuildWebhookEventV2Input<E extends { id: number }> {
  /** E.g. `JobCompleted` (V2 event names are not published either; the caller chooses). */
  eventType: string;
  tenantId: number;
  entity: E;
  /** Default: a random UUID. */
  eventId?: string;
  /** Default: now. */
  createdOn?: string;
  shape?: Partial<WebhookV2Shape>;
}

export function buildWebhookEventV2<E extends { id: number }>(
  input: BuildWebhookEventV2Input<E>,
): Record<string, unknown> {
  const shape = { ...DEFAULT_WEBHOOK_V2_SHAPE, ...input.shape };
  return {
    [shape.eventIdField]: input.eventId ?? randomUUID(),
    [shape.eventTypeField]: input.eventType,
    [shape.tenantIdField]: input.tenantId,
    [shape.createdOnField]: input.createdOn ?? new Date().toISOString(),
    [shape.dataField]: shape.data === 'id' ? { id: input.entity.id } : { ...input.entity },
  };
}
