import { randomUUID } from 'node:crypto';
import type { Invoice, InvoiceItem, Job } from '@connector/servicetitan';

/**
 * Builders for the LEGACY ServiceTitan webhook payload (the only documented shape): the entity's fields at the top
 * level plus `eventId`, `webhookId`, `__eventInfo{eventId, webhookId, webhookType}` and `__tenantInfo{id, name}`.
 * Event names and envelope are not officially published: the connector treats this as one versioned shape.
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
