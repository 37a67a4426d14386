import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { AuditServiceEnv } from '../../../apps/audit-service/src/app/audit-service.env';
import { MapperEnv } from '../../../apps/mapper/src/app/mapper.env';
import { WebhookGatewayEnv } from '../../../apps/webhook-gateway/src/app/webhook-gateway.env';
import { X3PollerEnv } from '../../../apps/x3-poller/src/app/x3-poller.env';
import { X3PosterEnv } from '../../../apps/x3-poster/src/app/x3-poster.env';

export const ROOT = join(__dirname, '../../..');

export const CONNECTOR_APPS = ['webhook-gateway', 'mapper', 'x3-poster', 'x3-poller', 'audit-service'] as const;
export const SIMULATOR_APPS = ['servicetitan-simulator', 'sage-x3-simulator'] as const;
export const ALL_APPS = [...CONNECTOR_APPS, ...SIMULATOR_APPS] as const;
export type ConnectorApp = (typeof CONNECTOR_APPS)[number];
export type AnyApp = (typeof ALL_APPS)[number];

type EnvClass = new () => object;
const ENV_CLASSES: Record<ConnectorApp, EnvClass> = {
  'webhook-gateway': WebhookGatewayEnv,
  mapper: MapperEnv,
  'x3-poster': X3PosterEnv,
  'x3-poller': X3PollerEnv,
  'audit-service': AuditServiceEnv,
};

export interface EnvSchema {
  /** Every variable the app's env class declares (validation metadata, inherited ones included). */
  known: Set<string>;
  /** Declared, not @IsOptional, and without a default value: the app refuses to start without them. */
  required: Set<string>;
}

/** The variables an app reads, straight from its validated env class (so the deploy files cannot drift). */
export function connectorEnvSchema(app: ConnectorApp): EnvSchema {
  const cls = ENV_CLASSES[app];
  const metas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const known = new Set(metas.map((m) => m.propertyName));
  const optional = new Set(
    metas.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION).map((m) => m.propertyName),
  );
  const instance = new cls() as Record<string, unknown>;
  const required = new Set([...known].filter((k) => !optional.has(k) && instance[k] === undefined));
  return { known, required };
}

/**
 * The simulators are plain node servers without an env class: the variables they read are the
 * process.env['X'] / numberEnv('X', …) reads in their main.ts. None is required (all have defaults).
 */
export function simulatorEnvSchema(app: (typeof SIMULATOR_APPS)[number]): EnvSchema {
  const src = readFileSync(join(ROOT, 'apps', app, 'src/main.ts'), 'utf8');
  const known = new Set<string>();
  for (const m of src.matchAll(
    /process\.env\[['"]([A-Z0-9_]+)['"]\]|process\.env\.([A-Z0-9_]+)|numberEnv\(['"]([A-Z0-9_]+)['"]/g,
  ))
    known.add(m[1] ?? m[2] ?? m[3]);
  return { known, required: new Set() };
}

export function isConnectorApp(app: string): app is ConnectorApp {
  return (CONNECTOR_APPS as readonly string[]).includes(app);
}

export function connectorEnvClass(app: ConnectorApp): EnvClass {
  return ENV_CLASSES[app];
}

export function envSchema(app: AnyApp): EnvSchema {
  return isConnectorApp(app) ? connectorEnvSchema(app) : simulatorEnvSchema(app as (typeof SIMULATOR_APPS)[number]);
}

/** Variables the container image itself sets or reads outside the app (deploy/docker/app.Dockerfile, healthcheck.js). */
export const IMAGE_ENV = new Set(['NODE_ENV', 'APP_NAME', 'HEALTHCHECK_PATH']);

/** KEY=VALUE lines of an env_file (comments and blanks skipped). */
export function parseEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const i = t.indexOf('=');
    out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}
