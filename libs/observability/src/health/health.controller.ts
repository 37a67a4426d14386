import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { ReadinessRegistry } from './readiness.registry';

/** What both HTTP platforms' responses offer (Express `Response`, Fastify `FastifyReply`). */
interface PlatformResponse {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health/live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(
    @Res({ passthrough: true }) res: PlatformResponse,
  ): Promise<{ status: 'ready' | 'not-ready'; checks: Record<string, boolean> }> {
    const result = await this.readiness.evaluate();
    res.status(result.ready ? 200 : 503);
    return { status: result.ready ? 'ready' : 'not-ready', checks: result.checks };
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(@Res({ passthrough: true }) res: PlatformResponse): Promise<string> {
    res.header('Content-Type', this.metrics.contentType());
    return this.metrics.render();
  }
}
