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
import { X3Error, X3ProtocolError } from '@connector/sage-x3';
import { Injectable, Logger } from '@nestjs/common';
import { X3PosterEnv } from '../app/x3-poster.env';
import { PostedLedgerService } from '../ledger/posted-ledger.service';
import { SageX3ClientsRegistry } from '../x3/sage-x3-clients.registry';
import { classifyPostingError, TenantNotConfiguredError } from './posting-error.classifier';
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
}

/**
 * Posts journal entries (GACCENTRY) and supplier invoices (PINVOICE) to each tenant's Sage X3, never twice:
 * ledger → X3 lookup by external reference → create (createIdempotent looks the reference up again after any
 * unknown outcome before re-posting). Every request ends with one result: posted, duplicate-skipped or failed.
 *
 * Transient X3 failures are retried by throwing (the messaging layer backs off with heartbeats and leaves the
 * message uncommitted on shutdown); the attempt number comes from the consumer loop (BusContext), and the last
 * attempt publishes 'failed' (transient) and commits instead of throwing, so the operator sees it and can replay it.
 */
@Injectable()
export class X3PostingService {
  private readonly logger = new Logger('x3-posting');
  private readonly limiter: TenantConcurrencyLimiter;
  private readonly pending = new Map<string, PendingCompletion>();
  /** Deliveries (topic:partition:offset) one of whose attempts ended with an unknown X3 outcome. */
  private readonly outcomeUnknown = new Set<string>();
  private readonly postings;
  private readonly postDuration;

  constructor(
    env: X3PosterEnv,
    private readonly publisher: MessagePublisher,
    private readonly tenants: TenantRegistry,
    private readonly clients: SageX3ClientsRegistry,
    private readonly ledger: PostedLedgerService,
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
        if (ctx.isLastAttempt) this.outcomeUnknown.delete(delivery);
        this.logger.warn({
          msg: 'transient X3 failure; the request will be retried',
          kind,
          externalRef: request.externalRef,
          attempt,
          code: c.code,
          err: error as Error,
        });
        throw error;
      }
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
      outcome = {
        status: 'failed',
        x3DocumentNumber: null,
        amount: null,
        currency: request.currency,
        error: { code: c.code, message: c.message, transient: c.transient },
      };
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

    const built: BuiltDocument =
      kind === 'journal-entry'
        ? buildJournalEntry(request as JournalEntryRequestedV1)
        : buildSupplierInvoice(request as SupplierInvoiceRequestedV1);
    const client = this.clients.forTenant(tenant);
    const entity = kind === 'journal-entry' ? 'journalEntry' : 'purchaseInvoice';
    const end = this.postDuration.startTimer({ tenant: tenant.id, kind });
    let result;
    try {
      // One POST per attempt: the retry (and its backoff) belongs to the consumer, so heartbeats and shutdown
      // work; createIdempotent looks the reference up before posting and after an unknown outcome.
      result = await this.limiter.run(tenant.id, () =>
        client.createIdempotent(entity, request.externalRef, built.body, { lookupFirst: true, maxPosts: 1 }),
      );
      end({ outcome: result.outcome });
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
    const number = documentNumber(result.resource);
    if (!number)
      throw new X3ProtocolError(`Sage X3 ${entity} ${request.externalRef}: the document carries no number (NUM/$key)`, {
        transient: true,
      });

    // Found before posting. If an earlier attempt of this message had an unknown outcome, that document is ours.
    const ours = result.outcome !== 'already-existed' || this.outcomeUnknown.has(delivery);
    if (!ours) {
      await this.ledger.record(envelope, {
        externalRef: request.externalRef,
        documentKind: kind,
        x3DocumentNumber: number,
        postedAt: new Date().toISOString(),
      });
      return {
        status: 'duplicate-skipped',
        x3DocumentNumber: number,
        amount: amountOfResource(kind, result.resource),
        currency: request.currency,
        error: null,
      };
    }
    if (result.outcome === 'recovered')
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
    };
    this.pending.set(key, completion);
    await this.writeLedger(envelope, kind, completion);
    return completion.outcome;
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
