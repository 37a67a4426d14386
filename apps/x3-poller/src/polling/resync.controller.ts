import { Controller, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../admin/admin-token.guard';
import { PollReport, X3PollService } from './x3-poll.service';

/** On-demand poll or full resync (deletions included) for one tenant. Disabled unless an admin token hash is set. */
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class ResyncController {
  constructor(private readonly poll: X3PollService) {}

  /** Every stream's report; `ok` is false when a stream failed (its `error` says why; the others still ran). */
  @Post('resync/:tenant')
  @HttpCode(200)
  async resync(
    @Param('tenant') tenant: string,
    @Query('full') full?: string,
  ): Promise<{ ok: boolean; reports: PollReport[] }> {
    try {
      const reports = await this.poll.runOnce(tenant, { full: full !== 'false' });
      return { ok: reports.every((r) => !r.error), reports };
    } catch (e) {
      if ((e as Error).name === 'TenantConfigError') throw new NotFoundException(`unknown tenant "${tenant}"`);
      throw e;
    }
  }
}
