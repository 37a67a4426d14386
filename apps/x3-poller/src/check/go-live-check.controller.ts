import { Controller, Get, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../admin/admin-token.guard';
import { CheckReport, GoLiveCheckService } from './go-live-check.service';

/**
 * `GET /admin/check/:tenant` (admin token): the go-live check of `npm run check`, run by the x3-poller with its own
 * view of the shared X3 credentials. 200 with `ok: false` and the failing lines when a check fails.
 */
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class GoLiveCheckController {
  constructor(private readonly check: GoLiveCheckService) {}

  @Get('check/:tenant')
  async run(@Param('tenant') tenant: string): Promise<CheckReport> {
    try {
      return await this.check.run(tenant);
    } catch (e) {
      if ((e as Error).name === 'TenantConfigError') throw new NotFoundException(`unknown tenant "${tenant}"`);
      throw e;
    }
  }
}
