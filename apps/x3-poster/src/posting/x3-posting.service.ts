import {
  createCausedEnvelope,
  Headers as H,
  JournalEntryRequestedV1,
  MessageEnvelope,
  POSTING_RESULT,
  PostingResultV1,
  PostingStatus,
  SupplierInvoiceRequestedV1,
  Topics,
} from '@connector/contracts';
import { TenantRegistry } from '@connector/config';
import { BusContext, MessagePublisher } from '@connector/messaging';
import { MetricNames, MetricsService } from '@connector/observability';
import {
  SageX3Client,
  X3ConfigError,
  X3EntityConfig,
  X3EntityName,
  X3Error,
  X3ProtocolError,
  X3Resource,
} from '@connector/sage-x3';
import { SageX3ClientsRegistry, X3FieldVerification } from '@connector/sage-x3-runtime';
import { backoffDelayMs, sleep } from '@connector/util';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { X3PosterEnv } from '../app/x3-poster.env';
import { PostedLedgerService } from '../ledger/posted-ledger.service';
import {
  ClassifiedPostingError,
  classifyPostingError,
  TenantNotConfiguredError,
  X3FieldsRefusedError,
} from './posting-error.classifier';
import { TenantConcurrencyLimiter } from './tenant-concurrency.limiter';
import {
  amountOfResource,
  buildJournalEntry,
  buildSupplierInvoice,
  BuiltDocument,
  DocumentKind,
  documentNumber,
} from './x3-payload.builder';

export type PostingRequest = JournalEntryRequestedV1 | SupplierInvoiceRequestedV1;

/** What one handling of a request ends with (published as x3.posting.result.v1). */
export interface PostingOutcome {
  status: PostingStatus;
  x3DocumentNumber: string | null;
  amount: string | null;
  currency: string | null;
  error: PostingResultV1['error'];
}

/** A document this process created whose ledger entry or result is not acknowledged yet (resumed on retry). */
interface PendingCompletion {
  outcome: PostingOutcome;
  ledgerWritten: boolean;
  lookupValues: Record<string, string>;
}

const ENTITY_OF: Record<DocumentKind, X3EntityName> = {
  'journal-entry': 'journalEntry',
  'supplier-invoice': 'purchaseInvoice',
};

/** While an unknown create outcome is being settled, the group is told this consumer lives at least this often. */
const SETTLE_HEARTBEAT_MS = 3000;

/**
 * Posts journal entries (GACCENTRY) and supplier invoices (PINVOICE) to each tenant's Sage X3, never twice:
 * ledger → X3 lookup by the class's lookup fields → create (createIdempotent looks the document up again after any
 * unknown outcome before re-posting). Every request ends with one result: posted, duplicate-skipped or failed.
 *
 * Failures are judged by the client's X3Error.kind (classifyPostingError): business rejections and configuration
 * problems end as failed at once; transient failures are retried by throwing (the messaging layer backs off with
 * heartbeats and leaves the message uncommitted on shutdown), and the last attempt publishes 'failed' (transient) and
 * commits instead of throwing, so the operator sees it and can replay it.
 *
 * Unknown is not failed: once a create's outcome was unknown (timeout, lost answer, bare 5xx), the document may exist.
 * Until a lookup has answered, this request is never published as failed: later attempts look the document up first,
 * and the last attempt keeps looking (backing off, heart-beating) until X3 answers — found → posted; absent → the
 * failure is real and reported.
 */
@Injectable()
export class X3PostingService implements OnModuleDestroy {
  private readonly logger = new Logger('x3-posting');
  private readonly limiter: TenantConcurrencyLimiter;
  private readonly pending = new Map<string, PendingCompletion>();
  /** Deliveries (topic:partition:offset) with a create whose outcome no lookup has settled yet. */
  private readonly outcomeUnknown = new Set<string>();
  private readonly stopping = new AbortController();
  private readonly postings;
  private readonly postDuration;

  constructor(
    private readonly env: X3PosterEnv,
    private readonly publisher: MessagePublisher,
    private readonly tenants: TenantRegistry,
    private readonly clients: SageX3ClientsRegistry,
    private readonly ledger: PostedLedgerService,
    private readonly fields: X3FieldVerification,
    metrics: MetricsService,
  ) {
    this.limiter = new TenantConcurrencyLimiter(env.X3_MAX_CONCURRENT_POSTS_PER_TENANT);
    this.postings = metrics.counter(MetricNames.Postings, 'Posting results, by tenant, document kind and status', [
      'tenant',
      'kind',
      'status',
    ]);
    this.postDuration = metrics.histogram(
      'connector_x3_posting_duration_seconds',
      'Lookup + create of one X3 document (one attempt), in seconds',
      ['tenant', 'kind', 'outcome'],
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    );
  }

  onModuleDestroy(): void {
    this.stopping.abort(new Error('the poster is stopping'));
  }

  async handle(kind: DocumentKind, ctx: BusContext<PostingRequest>): Promise<void> {
    const envelope = ctx.envelope;
    const request = envelope.payload;
    const delivery = `${ctx.topic}:${ctx.partition}:${ctx.offset}`;
    const attempt = ctx.attempt;
    const replayId = ctx.headers[H.ReplayId];
    let outcome: PostingOutcome;
    try {
      outcome = await ctx.keepAlive(() => this.post(kind, envelope, delivery));
    } catch (error) {
      const c = classifyPostingError(error);
      if (error instanceof X3Error && error.outcomeUnknown) this.outcomeUnknown.add(delivery);
      // A document this process created must end as 'posted', never 'failed': keep retrying the ledger/result
      // writes (after the messaging layer's attempts the DLQ keeps it; a replay resumes from the X3 lookup).
      const createdHere = this.pending.has(pendingKey(envelope.tenant, request.externalRef));
      if (createdHere || (c.transient && !ctx.isLastAttempt)) {
        this.logger.warn({
          msg: 'transient X3 failure; the request will be retried',
          kind,
          externalRef: request.externalRef,
          attempt,
          code: c.code,
          outcomeUnknown: this.outcomeUnknown.has(delivery),
          err: error as Error,
        });
        throw error;
      }
      outcome = this.outcomeUnknown.has(delivery)
        ? await this.settleUnknown(kind, ctx, delivery)
        : this.failed(kind, request, c, attempt);
    }
    await this.publishResult(kind, ctx, outcome, attempt, replayId);
    this.pending.delete(pendingKey(envelope.tenant, request.externalRef));
    this.outcomeUnknown.delete(delivery);
    this.postings.inc({ tenant: envelope.tenant, kind, status: outcome.status });
    this.logger.log({
      msg: 'posting result',
      kind,
      externalRef: request.externalRef,
      status: outcome.status,
      x3DocumentNumber: outcome.x3DocumentNumber,
      attempt,
      replayId,
    });
  }

  private failed(
    kind: DocumentKind,
    request: PostingRequest,
    c: ClassifiedPostingError,
    attempt: number,
  ): PostingOutcome {
    if (c.transient)
      this.logger.error({
        msg: 'X3 still failing after the last attempt; publishing failed (transient)',
        kind,
        externalRef: request.externalRef,
        attempt,
        code: c.code,
      });
    else
      this.logger.warn({
        msg: 'posting rejected',
        kind,
        externalRef: request.externalRef,
        code: c.code,
        reason: c.message,
      });
    return {
      status: 'failed',
      x3DocumentNumber: null,
      amount: null,
      currency: request.currency,
      error: { code: c.code, message: c.message, transient: c.transient },
    };
  }

  /**
   * The last attempt, with a create whose outcome is still unknown: no result may be published before a lookup has
   * said whether the document exists. Each round looks it up first (post() does, while the outcome is unknown):
   * found → this request's document, posted; absent → the outcome is settled, and whatever happens next is reported
   * as usual. At shutdown the round never ends, so the message stays uncommitted and is settled after the restart.
   */
  private async settleUnknown(
    kind: DocumentKind,
    ctx: BusContext<PostingRequest>,
    delivery: string,
  ): Promise<PostingOutcome> {
    const request = ctx.envelope.payload;
    for (let round = 1; ; round++) {
      const delay = backoffDelayMs(round, {
        initialMs: this.env.X3_POST_RETRY_INITIAL_BACKOFF_MS,
        maxMs: this.env.X3_POST_RETRY_MAX_BACKOFF_MS,
      });
      try {
        for (let left = delay; left > 0; left -= SETTLE_HEARTBEAT_MS) {
          await sleep(Math.min(SETTLE_HEARTBEAT_MS, left), this.stopping.signal);
          await ctx.heartbeat();
        }
      } catch {
        this.logger.warn({
          msg: 'stopping with an unknown X3 outcome unsettled; the request stays uncommitted for the next owner',
          kind,
          externalRef: request.externalRef,
        });
        return new Promise<never>(() => undefined);
      }
      try {
        return await ctx.keepAlive(() => this.post(kind, ctx.envelope, delivery));
      } catch (error) {
        if (error instanceof X3Error && error.outcomeUnknown) this.outcomeUnknown.add(delivery);
        const c = classifyPostingError(error);
        if (this.outcomeUnknown.has(delivery)) {
          this.logger.warn({
            msg: 'unknown X3 outcome not settled yet (lookup failed); looking again, no result before it is',
            kind,
            externalRef: request.externalRef,
            round,
            code: c.code,
            err: error as Error,
          });
          continue;
        }
        return this.failed(kind, request, c, ctx.attempt);
      }
    }
  }

  private async post(
    kind: DocumentKind,
    envelope: MessageEnvelope<PostingRequest>,
    delivery: string,
  ): Promise<PostingOutcome> {
    const request = envelope.payload;
    const tenant = this.tenants.get(envelope.tenant);
    if (!tenant) throw new TenantNotConfiguredError(envelope.tenant);
    // Created by an earlier attempt of this process, but the ledger write or the result publish failed: finish it.
    const key = pendingKey(tenant.id, request.externalRef);
    const pending = this.pending.get(key);
    if (pending) {
      if (!pending.ledgerWritten) await this.writeLedger(envelope, kind, pending);
      return pending.outcome;
    }

    await this.ledger.ready();
    const known = this.ledger.get(tenant.id, request.externalRef);
    if (known)
      return {
        status: 'duplicate-skipped',
        x3DocumentNumber: known.x3DocumentNumber,
        amount: null,
        currency: request.currency,
        error: null,
      };

    const entity = ENTITY_OF[kind];
    // A tenant whose configured fields do not match its X3 is refused (start-up field check; a request arriving
    // while the first check runs waits for it).
    await this.fields.settled(tenant.id, this.env.X3_REQUEST_TIMEOUT_MS);
    const refusal = this.fields.refusal(tenant.id, entity);
    if (refusal) throw new X3FieldsRefusedError(tenant.id, refusal);
    const client = this.clients.forTenant(tenant);
    const cfg = client.entityConfig(entity);
    const built: BuiltDocument =
      kind === 'journal-entry'
        ? buildJournalEntry(request as JournalEntryRequestedV1, cfg)
        : buildSupplierInvoice(request as SupplierInvoiceRequestedV1, cfg);
    const lookup = lookupValues(cfg, built.body, request.externalRef);
    const end = this.postDuration.startTimer({ tenant: tenant.id, kind });
    let resource: X3Resource;
    let ours: boolean;
    let recovered = false;
    try {
      const result = await this.limiter.run(tenant.id, () =>
        this.lookupAndCreate(client, entity, request.externalRef, built.body, lookup, delivery),
      );
      resource = result.resource;
      recovered = result.outcome === 'recovered';
      // Found before posting. If an earlier attempt of this message had an unknown outcome, that document is ours.
      ours = result.outcome !== 'already-existed' || result.wasUnknown;
      end({ outcome: result.outcome });
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
    const number = documentNumber(resource, cfg);
    if (!number)
      throw new X3ProtocolError(`Sage X3 ${entity} ${request.externalRef}: the document carries no number (NUM/$key)`, {
        transient: true,
      });

    if (!ours) {
      await this.ledger.record(envelope, {
        externalRef: request.externalRef,
        documentKind: kind,
        x3DocumentNumber: number,
        postedAt: new Date().toISOString(),
        lookupValues: stringValues(lookup),
      });
      return {
        status: 'duplicate-skipped',
        x3DocumentNumber: number,
        amount: amountOfResource(kind, resource, cfg),
        currency: request.currency,
        error: null,
      };
    }
    if (recovered)
      this.logger.warn({
        msg: 'create had an unknown outcome; found committed by reference (one document)',
        kind,
        externalRef: request.externalRef,
        x3DocumentNumber: number,
      });
    const completion: PendingCompletion = {
      outcome: {
        status: 'posted',
        x3DocumentNumber: number,
        amount: built.amount,
        currency: built.currency,
        error: null,
      },
      ledgerWritten: false,
      lookupValues: stringValues(lookup),
    };
    this.pending.set(key, completion);
    await this.writeLedger(envelope, kind, completion);
    return completion.outcome;
  }

  /**
   * One POST per attempt (the retry and its backoff belong to the consumer, so heartbeats and shutdown work).
   * While an earlier create's outcome is unknown, the document is looked up here first, so a lookup failure keeps
   * it unknown; once a lookup answered, createIdempotent looks up before its POST and after an unknown outcome.
   */
  private async lookupAndCreate(
    client: SageX3Client,
    entity: X3EntityName,
    externalRef: string,
    body: X3Resource,
    lookup: Record<string, string | number>,
    delivery: string,
  ): Promise<{ resource: X3Resource; outcome: 'created' | 'already-existed' | 'recovered'; wasUnknown: boolean }> {
    const wasUnknown = this.outcomeUnknown.has(delivery);
    if (wasUnknown) {
      const found = await client.findBy(entity, lookup);
      this.outcomeUnknown.delete(delivery);
      if (found) return { resource: found, outcome: 'already-existed', wasUnknown };
    }
    const result = await client.createIdempotent(entity, externalRef, body, { lookupFirst: !wasUnknown, maxPosts: 1 });
    return { resource: result.resource, outcome: result.outcome, wasUnknown };
  }

  private async writeLedger(
    envelope: MessageEnvelope<PostingRequest>,
    kind: DocumentKind,
    completion: PendingCompletion,
  ): Promise<void> {
    await this.ledger.record(envelope, {
      externalRef: envelope.payload.externalRef,
      documentKind: kind,
      x3DocumentNumber: completion.outcome.x3DocumentNumber ?? '',
      postedAt: new Date().toISOString(),
      lookupValues: completion.lookupValues,
    });
    completion.ledgerWritten = true;
  }

  private async publishResult(
    kind: DocumentKind,
    ctx: BusContext<PostingRequest>,
    outcome: PostingOutcome,
    attempt: number,
    replayId: string | undefined,
  ): Promise<void> {
    const request = ctx.envelope.payload;
    const payload: PostingResultV1 = {
      externalRef: request.externalRef,
      documentKind: kind,
      status: outcome.status,
      source: request.source,
      x3DocumentNumber: outcome.x3DocumentNumber,
      amount: outcome.amount,
      currency: outcome.currency,
      attempt,
      requestMessageId: ctx.envelope.id,
      error: outcome.error,
    };
    const envelope = createCausedEnvelope<PostingResultV1>(ctx.envelope, {
      type: POSTING_RESULT,
      source: 'poster',
      payload,
    });
    const headers: Record<string, string> = {};
    if (replayId) headers[H.ReplayId] = replayId;
    // Same key as the request: a record's requests and results stay ordered on one partition.
    await this.publisher.publish(Topics.PostingResult, envelope, {
      key: ctx.key ?? `${ctx.envelope.tenant}:${request.externalRef}`,
      headers,
    });
  }
}

function pendingKey(tenant: string, externalRef: string): string {
  return `${tenant}:${externalRef}`;
}

/**
 * The values a document is found again by (the entity's lookup fields, taken from the body; the external reference
 * for the reference field). A lookup field the body does not fill is a configuration error naming it.
 */
export function lookupValues(
  cfg: X3EntityConfig,
  body: X3Resource,
  externalRef: string,
): Record<string, string | number> {
  const source = cfg.referenceField ? { ...body, [cfg.referenceField]: externalRef } : body;
  const out: Record<string, string | number> = {};
  for (const field of cfg.lookupFields) {
    const value = source[field];
    if ((typeof value !== 'string' || !value) && typeof value !== 'number')
      throw new X3ConfigError(
        `Sage X3 ${cfg.className}: lookup field ${field} is not among the fields the connector writes, so the document could not be found again (configure lookupFields to written fields)`,
      );
    out[field] = value;
  }
  return out;
}

function stringValues(values: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}
