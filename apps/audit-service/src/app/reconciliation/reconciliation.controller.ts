import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditServiceEnv } from '../audit-service.env';
import { ApiAuthGuard, AuthenticatedRequest, principalOf, tenantScope } from '../auth/api-auth.guard';
import { ReconciliationQueryDto, ReconciliationTenantQueryDto, X3DocumentParamsDto } from './reconciliation.dto';
import { reconciliationCsv, reconciliationHtml } from './reconciliation.export';
import { ReconciliationReport } from './reconciliation.report';
import { ConsoleLinks, ReconciliationService, X3DocumentView } from './reconciliation.service';

/**
 * The month-end reconciliation: the report as JSON, CSV and a printable HTML page (the same numbers), the periods
 * that have documents, and what X3 holds of one document (for the exceptions' links).
 */
@ApiTags('reconciliation')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown API token' })
@UseGuards(ApiAuthGuard)
@Controller('api/reconciliation')
export class ReconciliationController {
  constructor(
    private readonly reconciliation: ReconciliationService,
    private readonly env: AuditServiceEnv,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Reconciliation of one tenant and accounting month: source vs posted vs X3 per cost center and account, bills, counts, exceptions, verdict',
  })
  @ApiBadRequestResponse({ description: 'No tenant (admin token) or a period that is not YYYY-MM' })
  @ApiOkResponse({ description: 'The report (amounts are decimal strings)' })
  report(@Req() req: AuthenticatedRequest, @Query() q: ReconciliationQueryDto): Promise<ReconciliationReport> {
    return this.build(req, q);
  }

  @Get('report.csv')
  @ApiOperation({ summary: 'The same report as CSV (one table; the first column names the section)' })
  @ApiProduces('text/csv')
  async csv(
    @Req() req: AuthenticatedRequest,
    @Query() q: ReconciliationQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const report = await this.build(req, q);
    this.download(res, 'text/csv; charset=utf-8', `reconciliation-${report.tenant}-${report.period}.csv`);
    return reconciliationCsv(report);
  }

  @Get('report.html')
  @ApiOperation({ summary: 'The same report as a printable HTML page (no scripts)' })
  @ApiProduces('text/html')
  async html(
    @Req() req: AuthenticatedRequest,
    @Query() q: ReconciliationQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const report = await this.build(req, q);
    this.download(res, 'text/html; charset=utf-8', `reconciliation-${report.tenant}-${report.period}.html`);
    return reconciliationHtml(report);
  }

  @Get('periods')
  @ApiOperation({ summary: 'Tenants and accounting months that have documents, newest first' })
  periods(
    @Req() req: AuthenticatedRequest,
    @Query() q: ReconciliationTenantQueryDto,
  ): Promise<Array<{ tenant: string; period: string }>> {
    return this.reconciliation.periods(tenantScope(principalOf(req), q.tenant));
  }

  @Get('x3-documents/:kind/:number')
  @ApiOperation({
    summary: 'What Sage X3 holds of one document (read back by the x3-poller), with its read-back history',
  })
  @ApiNotFoundResponse()
  async x3Document(
    @Req() req: AuthenticatedRequest,
    @Param() params: X3DocumentParamsDto,
    @Query() q: ReconciliationTenantQueryDto,
  ): Promise<X3DocumentView> {
    const doc = await this.reconciliation.x3Document(this.tenantOf(req, q.tenant), params.kind, params.number);
    if (!doc) throw new NotFoundException({ statusCode: 404, message: 'no read-back of this X3 document' });
    return doc;
  }

  private build(req: AuthenticatedRequest, q: ReconciliationQueryDto): Promise<ReconciliationReport> {
    return this.reconciliation.report(this.tenantOf(req, q.tenant), q.period, new ConsoleLinks(this.baseUrl(req)));
  }

  private tenantOf(req: AuthenticatedRequest, requested: string | undefined): string {
    const tenant = tenantScope(principalOf(req), requested);
    if (!tenant) throw new BadRequestException({ statusCode: 400, message: 'tenant is required' });
    return tenant;
  }

  /** Links in the report point at this console: AUDIT_PUBLIC_URL, else the host the request came to. */
  private baseUrl(req: AuthenticatedRequest): string {
    if (this.env.AUDIT_PUBLIC_URL) return this.env.AUDIT_PUBLIC_URL.replace(/\/+$/, '');
    const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
    const host =
      typeof req.headers.host === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host)
        ? req.headers.host
        : 'localhost';
    return `${proto}://${host}`;
  }

  private download(res: Response, type: string, filename: string): void {
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
  }
}
