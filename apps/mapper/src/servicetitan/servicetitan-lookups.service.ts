import { TenantConfig, TenantRegistry } from '@connector/config';
import { toDecimal } from '@connector/decimal';
import { ServiceTitanApiError, ServiceTitanAuthError, ServiceTitanClient } from '@connector/servicetitan';
import { Injectable, Logger } from '@nestjs/common';
import { PermanentMessageError } from '@connector/messaging';
import { MapperEnv } from '../app/mapper.env';
import { JobCost } from '../jobs/journal-entry.builder';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The ServiceTitan reads the mapper needs, one client (token cache + rate limiter) per tenant. */
@Injectable()
export class ServiceTitanLookups {
  private readonly logger = new Logger('servicetitan-lookups');
  private readonly clients = new Map<string, ServiceTitanClient>();

  constructor(
    private readonly tenants: TenantRegistry,
    private readonly env: MapperEnv,
  ) {}

  client(tenant: TenantConfig): ServiceTitanClient {
    let c = this.clients.get(tenant.id);
    if (!c) {
      const st = tenant.servicetitan;
      // The tenant file holds the full token URL; the client wants the origin and the path apart.
      const token = st.authUrl ? new URL(st.authUrl) : null;
      c = new ServiceTitanClient({
        environment: st.environment,
        authUrl: token ? token.origin : undefined,
        tokenPath: token ? token.pathname : undefined,
        apiBaseUrl: st.apiBaseUrl,
        tenantId: st.tenantId,
        appKey: st.appKey.reveal(),
        clientId: st.clientId,
        clientSecret: st.clientSecret.reveal(),
        requestTimeoutMs: this.env.MAPPER_ST_REQUEST_TIMEOUT_MS,
        maxRequestsPerSecond: this.env.MAPPER_ST_MAX_REQUESTS_PER_SECOND,
        retry: { maxRetries: this.env.MAPPER_ST_MAX_RETRIES },
        onRetry: (e) =>
          this.logger.warn({
            msg: 'ServiceTitan call retried',
            tenant: tenant.id,
            attempt: e.attempt,
            reason: e.reason,
            path: e.path,
            delayMs: e.delayMs,
          }),
      });
      this.clients.set(tenant.id, c);
    }
    return c;
  }

  /**
   * Labor cost of a job: payroll gross pay items cannot be filtered by job, so the items dated in a window around
   * the completion day are read and those of this job kept. Amounts are payroll numbers, read exactly as decimals.
   */
  async grossPayLabor(
    tenantId: string,
    jobId: number,
    completedOn: string,
    daysBefore: number,
    daysAfter: number,
  ): Promise<JobCost[]> {
    const tenant = this.tenants.require(tenantId);
    const day = Date.parse(completedOn.slice(0, 10) + 'T00:00:00Z');
    const from = new Date(day - daysBefore * DAY_MS).toISOString();
    const to = new Date(day + (daysAfter + 1) * DAY_MS - 1).toISOString();
    const out: JobCost[] = [];
    try {
      for await (const item of this.client(tenant).iterateGrossPayItems(
        { dateOnOrAfter: from, dateOnOrBefore: to },
        { pageSize: 500 },
      )) {
        if (item.jobId !== jobId) continue;
        const amount = item.amount as number | string | null | undefined;
        if (amount === null || amount === undefined) continue;
        const id = (item as { id?: number }).id;
        out.push({
          kind: 'labor',
          amount: toDecimal(amount),
          stAccount: null,
          sourceRef: `gross-pay-item:${id ?? `${item.employeeId}:${item.date}`}`,
        });
      }
    } catch (e) {
      throw this.classify(e);
    }
    return out;
  }

  /** ServiceTitan number of a purchase order (e.g. "PO-1101"), or null when it does not exist. */
  async purchaseOrderNumber(tenantId: string, purchaseOrderId: number): Promise<string | null> {
    const tenant = this.tenants.require(tenantId);
    try {
      const res = await this.client(tenant).listPurchaseOrders({ ids: [purchaseOrderId], pageSize: 1 });
      return res.data.find((p) => p.id === purchaseOrderId)?.number ?? null;
    } catch (e) {
      throw this.classify(e);
    }
  }

  /**
   * 5xx, 429, network errors and timeouts are transient (the message is retried). A 4xx other than 429, or refused
   * credentials, will not heal by retrying the same message: permanent (dead-lettered with the reason, replayable
   * once the tenant's configuration is fixed).
   */
  private classify(e: unknown): Error {
    if (
      e instanceof ServiceTitanApiError &&
      e.status >= 400 &&
      e.status < 500 &&
      e.status !== 429 &&
      e.status !== 401
    ) {
      return new PermanentMessageError(e.message);
    }
    if (e instanceof ServiceTitanAuthError && e.status !== undefined && e.status >= 400 && e.status < 500)
      return new PermanentMessageError(e.message);
    return e instanceof Error ? e : new Error(String(e));
  }
}
