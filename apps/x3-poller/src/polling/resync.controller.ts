import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Controller,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  UnauthorizedException,
} from '@nestjs/common';
import { X3PollerEnv } from '../app/x3-poller.env';
import { PollReport, X3PollService } from './x3-poll.service';

/** On-demand poll or full resync (deletions included) for one tenant. Disabled unless an admin token hash is set. */
@Controller('admin')
export class ResyncController {
  constructor(
    private readonly poll: X3PollService,
    private readonly env: X3PollerEnv,
  ) {}

  @Post('resync/:tenant')
  @HttpCode(200)
  async resync(
    @Param('tenant') tenant: string,
    @Headers('authorization') auth: string | undefined,
    @Query('full') full?: string,
  ): Promise<{ reports: PollReport[] }> {
    const expected = this.env.X3_POLLER_ADMIN_TOKEN_SHA256;
    if (!expected) throw new NotFoundException();
    const token = auth?.replace(/^Bearer\s+/i, '') ?? '';
    const given = createHash('sha256').update(token).digest();
    if (!token || !timingSafeEqual(given, Buffer.from(expected, 'hex')))
      throw new UnauthorizedException('admin token required');
    try {
      return { reports: await this.poll.runOnce(tenant, { full: full !== 'false' }) };
    } catch (e) {
      if ((e as Error).name === 'TenantConfigError') throw new NotFoundException(`unknown tenant "${tenant}"`);
      throw e;
    }
  }
}
