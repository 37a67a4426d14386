export * from './metrics/metric-names';
export * from './metrics/metrics.service';
export * from './health/readiness.registry';
export * from './health/health.controller';
export * from './logging/log-context';
export * from './logging/redaction';
export * from './logging/json-logger';
export * from './observability.module';
