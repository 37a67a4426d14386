import { DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController } from './health/health.controller';
import { ReadinessRegistry } from './health/readiness.registry';
import { MetricsService } from './metrics/metrics.service';

export interface ObservabilityOptions {
  app: string;
  defaultMetrics?: boolean;
}

/** /health/live, /health/ready and /metrics for an app, plus its metrics registry and readiness checks. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [HealthController],
      providers: [
        {
          provide: MetricsService,
          useFactory: () => new MetricsService(options.app, { defaultMetrics: options.defaultMetrics }),
        },
        ReadinessRegistry,
      ],
      exports: [MetricsService, ReadinessRegistry],
    };
  }
}
