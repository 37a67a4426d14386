import { Controller, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../admin/admin-token.guard';
import { DocumentReadBackService, ReadBackReport } from './document-readback.service';

/** On-demand read-back of a tenant's documents (full by default: deletions too), e.g. before a month-end report. */
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class ReadBackController {
  constructor(private readonly readBack: DocumentReadBackService) {}

  @Post('readback/:tenant')
  @HttpCode(200)
  async run(@Param('tenant') tenant: string, @Query('full') full?: string): Promise<{ reports: ReadBackReport[] }> {
    try {
      return { reports: await this.readBack.runOnce(tenant, { full: full !== 'false' }) };
    } catch (e) {
      if ((e as Error).name === 'TenantConfigError') throw new NotFoundException(`unknown tenant "${tenant}"`);
      throw e;
    }
  }
}
