import {
  JobInvoiceItemDto,
  recordKey,
  ServiceTitanAppointmentEventV1,
  ServiceTitanJobEventV1,
  ST_APPOINTMENT_EVENT,
  ST_JOB_EVENT,
  Topics,
  validatePayload,
} from '@connector/contracts';
import { toDecimal, toDecimalString } from '@connector/decimal';

export interface NormalizedEvent {
  eventId: string;
  topic: string;
  type: string;
  key: string;
  occurredAt: string;
  payload: ServiceTitanJobEventV1 | ServiceTitanAppointmentEventV1;
}

export class WebhookShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookShapeError';
  }
}

type Json = Record<string, unknown>;

const JOB_EVENTS: Record<string, ServiceTitanJobEventV1['event']> = {
  JobCreated: 'created',
  JobUpdated: 'updated',
  JobCompleted: 'completed',
  JobCanceled: 'canceled',
  JobCancelled: 'canceled',
};
const APPOINTMENT_EVENTS = new Set([
  'AppointmentCreated',
  'AppointmentUpdated',
  'AppointmentCompleted',
  'AppointmentCanceled',
  'AppointmentDeleted',
]);

function int(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  throw new WebhookShapeError(`${field} must be an integer id`);
}
function optInt(v: unknown, field: string): number | null {
  return v === null || v === undefined ? null : int(v, field);
}
function optStr(v: unknown): string | null {
  return typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
}
function iso(v: unknown, field: string): string {
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  throw new WebhookShapeError(`${field} must be an ISO date`);
}
function amount(v: unknown, field: string, fallback?: string): string {
  if (v === null || v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw new WebhookShapeError(`${field} is required`);
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new WebhookShapeError(`${field} must be an amount`);
  try {
    return toDecimalString(v);
  } catch {
    throw new WebhookShapeError(`${field} is not a decimal amount`);
  }
}
function accountCode(v: unknown): string | null {
  if (v && typeof v === 'object') return optStr((v as Json)['number']) ?? optStr((v as Json)['name']);
  return optStr(v);
}

/**
 * Turns a ServiceTitan webhook body into a contract event. The only documented shape is the legacy one:
 * the entity's fields plus eventId, __eventInfo{eventId, webhookId, webhookType} and __tenantInfo{id, name}.
 * Anything else is rejected with a reason rather than guessed at.
 */
export function normalizeServiceTitanEvent(
  body: unknown,
  tenant: string,
  serviceTitanTenantId: number,
): NormalizedEvent {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new WebhookShapeError('body must be a JSON object');
  const b = body as Json;
  const info = b['__eventInfo'];
  if (!info || typeof info !== 'object') throw new WebhookShapeError('unknown event shape: missing __eventInfo');
  const eventInfo = info as Json;
  const eventId = optStr(eventInfo['eventId'] ?? b['eventId']);
  if (!eventId) throw new WebhookShapeError('unknown event shape: missing eventId');
  const webhookType = optStr(eventInfo['webhookType']);
  if (!webhookType) throw new WebhookShapeError('unknown event shape: missing __eventInfo.webhookType');
  const tenantInfo = b['__tenantInfo'] as Json | undefined;
  if (tenantInfo && tenantInfo['id'] !== undefined && Number(tenantInfo['id']) !== serviceTitanTenantId) {
    throw new WebhookShapeError(
      `__tenantInfo.id ${String(tenantInfo['id'])} does not match this tenant's ServiceTitan tenant`,
    );
  }
  const { __eventInfo: _i, __tenantInfo: _t, eventId: _e, webhookId: _w, ...entity } = b;

  if (JOB_EVENTS[webhookType]) {
    const jobId = int(b['id'], 'id');
    const invoiceRaw = b['invoice'] as Json | null | undefined;
    let invoice: ServiceTitanJobEventV1['invoice'] = null;
    if (invoiceRaw && typeof invoiceRaw === 'object') {
      const items = invoiceRaw['items'];
      if (items !== undefined && !Array.isArray(items)) throw new WebhookShapeError('invoice.items must be an array');
      invoice = {
        id: int(invoiceRaw['id'], 'invoice.id'),
        number: optStr(invoiceRaw['number']),
        total:
          invoiceRaw['total'] === null || invoiceRaw['total'] === undefined
            ? null
            : amount(invoiceRaw['total'], 'invoice.total'),
        items: ((items as Json[] | undefined) ?? []).map((it, i): JobInvoiceItemDto => {
          const quantity = amount(it['quantity'], `invoice.items[${i}].quantity`, '0');
          const cost = amount(it['cost'], `invoice.items[${i}].cost`, '0');
          return {
            id: int(it['id'], `invoice.items[${i}].id`),
            description: optStr(it['description']),
            type: optStr(it['type']) ?? 'Unspecified',
            skuId: optInt(it['skuId'], `invoice.items[${i}].skuId`),
            skuName: optStr(it['skuName']),
            quantity,
            cost,
            // totalCost is nullable in ServiceTitan: derive it from quantity × cost when absent.
            totalCost: amount(
              it['totalCost'],
              `invoice.items[${i}].totalCost`,
              toDecimal(quantity).times(toDecimal(cost)).toFixed(),
            ),
            total:
              it['total'] === null || it['total'] === undefined
                ? null
                : amount(it['total'], `invoice.items[${i}].total`),
            costOfSaleAccount: accountCode(it['costOfSaleAccount']),
            generalLedgerAccount: accountCode(it['generalLedgerAccount']),
            technicianId: optInt(it['technicianId'], `invoice.items[${i}].technicianId`),
          };
        }),
      };
    }
    const modifiedOn = iso(b['modifiedOn'] ?? b['completedOn'] ?? b['createdOn'], 'modifiedOn');
    const payload: ServiceTitanJobEventV1 = {
      event: JOB_EVENTS[webhookType],
      jobId,
      jobNumber: optStr(b['jobNumber'] ?? b['number']),
      jobStatus: optStr(b['jobStatus']) ?? (webhookType === 'JobCompleted' ? 'Completed' : 'Unknown'),
      completedOn: b['completedOn'] ? iso(b['completedOn'], 'completedOn') : null,
      businessUnitId: optInt(b['businessUnitId'], 'businessUnitId'),
      jobTypeId: optInt(b['jobTypeId'], 'jobTypeId'),
      modifiedOn,
      sourceEventId: eventId,
      invoice,
      raw: entity,
    };
    assertValid(ST_JOB_EVENT, payload);
    return {
      eventId,
      topic: Topics.StJob,
      type: ST_JOB_EVENT,
      key: recordKey(tenant, 'job', jobId),
      occurredAt: payload.completedOn ?? modifiedOn,
      payload,
    };
  }

  if (APPOINTMENT_EVENTS.has(webhookType)) {
    const appointmentId = int(b['id'], 'id');
    const payload: ServiceTitanAppointmentEventV1 = {
      event: webhookType.replace(/^Appointment/, '').toLowerCase(),
      appointmentId,
      jobId: int(b['jobId'], 'jobId'),
      status: optStr(b['status']),
      modifiedOn: iso(b['modifiedOn'] ?? b['createdOn'], 'modifiedOn'),
      sourceEventId: eventId,
      raw: entity,
    };
    assertValid(ST_APPOINTMENT_EVENT, payload);
    return {
      eventId,
      topic: Topics.StAppointment,
      type: ST_APPOINTMENT_EVENT,
      key: recordKey(tenant, 'appointment', appointmentId),
      occurredAt: payload.modifiedOn,
      payload,
    };
  }

  throw new WebhookShapeError(`unsupported webhookType "${webhookType}"`);
}

function assertValid(type: string, payload: object): void {
  const problems = validatePayload(type, payload);
  if (problems.length) throw new WebhookShapeError(`event does not fit the contract: ${problems.join('; ')}`);
}
