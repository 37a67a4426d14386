import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiAuthGuard, AuthenticatedRequest, principalOf, tenantScope } from '../auth/api-auth.guard';
import { ReplayService } from '../replay/replay.service';
import {
  BulkReplayDto,
  BulkReplayResultDto,
  FailureReasonDto,
  ListRecordsQueryDto,
  PrincipalDto,
  RecordDto,
  RecordFilterDto,
  RecordPageDto,
  RecordTimelineDto,
  ReplayOutcomeDto,
  ReplayRecordDto,
} from './audit-api.dto';
import { AuditQueryRepository, RecordFilter } from './audit-query.repository';

function toFilter(req: AuthenticatedRequest, q: RecordFilterDto): RecordFilter {
  return {
    tenant: tenantScope(principalOf(req), q.tenant),
    kind: q.kind,
    statuses: q.status,
    from: q.from,
    to: q.to,
    q: q.q,
  };
}

@ApiTags('audit')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown API token' })
@UseGuards(ApiAuthGuard)
@Controller('api')
export class AuditApiController {
  constructor(
    private readonly queries: AuditQueryRepository,
    private readonly replay: ReplayService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'Who the token belongs to (console login)' })
  @ApiOkResponse({ type: PrincipalDto })
  me(@Req() req: AuthenticatedRequest): PrincipalDto {
    const p = principalOf(req);
    return { role: p.role, tenant: p.tenant, actor: p.actor };
  }

  @Get('records')
  @ApiOperation({ summary: 'Records, newest activity first, filtered and paged' })
  @ApiOkResponse({ type: RecordPageDto })
  async list(@Req() req: AuthenticatedRequest, @Query() q: ListRecordsQueryDto): Promise<RecordPageDto> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const page = await this.queries.listRecords(toFilter(req, q), { limit, offset });
    return { total: page.total, limit, offset, items: page.items };
  }

  @Get('records/:id')
  @ApiOperation({
    summary: 'One record with its full timeline (every message with topic/partition/offset, and operator actions)',
  })
  @ApiOkResponse({ type: RecordTimelineDto })
  @ApiNotFoundResponse()
  async timeline(@Req() req: AuthenticatedRequest, @Param('id') id: string): Promise<RecordTimelineDto> {
    const record = await this.findRecord(req, id);
    return { record, timeline: await this.queries.timeline(record.id) };
  }

  @Get('failures/summary')
  @ApiOperation({ summary: 'Current failures counted by status and reason' })
  @ApiOkResponse({ type: [FailureReasonDto] })
  failures(@Req() req: AuthenticatedRequest, @Query() q: RecordFilterDto): Promise<FailureReasonDto[]> {
    return this.queries.failureSummary(toFilter(req, q));
  }

  @Post('records/:id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-publish the record’s original request (or source event) with replay headers' })
  @ApiOkResponse({ type: ReplayOutcomeDto })
  @ApiNotFoundResponse()
  async replayOne(
    @Req() req: AuthenticatedRequest,
    @Param('id') id: string,
    @Body() body: ReplayRecordDto,
  ): Promise<ReplayOutcomeDto> {
    const record = await this.findRecord(req, id);
    return this.replay.replayRecord(record.id, principalOf(req).actor, body.reason);
  }

  @Post('replays')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay every failure matching a filter; dryRun=true only counts' })
  @ApiOkResponse({ type: BulkReplayResultDto })
  replayMany(@Req() req: AuthenticatedRequest, @Body() body: BulkReplayDto): Promise<BulkReplayResultDto> {
    return this.replay.replayFailures(
      toFilter(req, body.filter),
      principalOf(req).actor,
      body.reason,
      body.dryRun ?? false,
    );
  }

  private async findRecord(req: AuthenticatedRequest, id: string): Promise<RecordDto> {
    const record = await this.queries.getRecord(id, tenantScope(principalOf(req)));
    if (!record) throw new NotFoundException({ statusCode: 404, message: 'record not found' });
    return record;
  }
}
