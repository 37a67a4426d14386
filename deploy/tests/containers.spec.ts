/* docker-compose.yml and deploy/docker/app.Dockerfile, checked without a Docker engine: the compose file parses,
 * every service sets only variables its app reads and all it requires, dependencies wait on health checks, and the
 * image copies exactly what the Nx/webpack build writes. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { SecretBox, TenantRegistry, validateEnv } from '@connector/config';
import { DEMO_ENCRYPTION_KEY } from '../docker/demo/make-demo-tenants';
import {
  ALL_APPS,
  CONNECTOR_APPS,
  connectorEnvClass,
  envSchema,
  isConnectorApp,
  IMAGE_ENV,
  parseEnvFile,
  ROOT,
  SIMULATOR_APPS,
} from './support/app-env';

type Service = {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  env_file?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  read_only?: boolean;
};
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets?: Record<string, { file: string }>;
};

/** The environment a service's container gets: env_file entries, then `environment`. */
function serviceEnv(s: Service): Record<string, string> {
  const env: Record<string, string> = {};
  for (const f of s.env_file ?? []) Object.assign(env, parseEnvFile(join(ROOT, f)));
  return { ...env, ...(s.environment ?? {}) };
}

describe('docker-compose.yml', () => {
  it('has Kafka (KRaft), PostgreSQL, Prometheus, both simulators and the five apps', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'postgres', 'prometheus', ...ALL_APPS].sort());
    expect(compose.services['kafka'].image).toMatch(/^apache\/kafka:/);
    expect(compose.services['kafka'].environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
  });

  it.each(ALL_APPS)('%s sets only variables the app reads, and every one it requires', (app) => {
    const s = compose.services[app];
    const { known, required } = envSchema(app);
    const env = serviceEnv(s);
    const unknown = Object.keys(env).filter((k) => !known.has(k) && !IMAGE_ENV.has(k));
    expect(unknown).toEqual([]);
    expect([...required].filter((k) => !(k in env))).toEqual([]);
    // Values must pass the app's own validation (a typo in a number or a URL fails at boot).
    if (isConnectorApp(app)) expect(() => validateEnv(connectorEnvClass(app), env)).not.toThrow();
  });

  it('builds every app from the one Dockerfile with its APP build arg', () => {
    for (const app of ALL_APPS) {
      const b = compose.services[app].build;
      expect(b?.dockerfile).toBe('deploy/docker/app.Dockerfile');
      expect(b?.context).toBe('.');
      expect(b?.args?.['APP']).toBe(app);
    }
  });

  it('starts the apps only once Kafka and the simulators are healthy, and every app has a health check', () => {
    for (const app of CONNECTOR_APPS) {
      const s = compose.services[app];
      expect(s.depends_on?.['kafka']?.condition).toBe('service_healthy');
      expect(s.healthcheck?.test).toEqual(['CMD', 'node', '/app/healthcheck.js', '/health/ready']);
      expect(s.read_only).toBe(true);
    }
    for (const svc of ['kafka', 'postgres', 'prometheus', ...SIMULATOR_APPS])
      expect(compose.services[svc].healthcheck?.test?.length).toBeGreaterThan(0);
    expect(compose.services['audit-service'].depends_on?.['postgres']?.condition).toBe('service_healthy');
    // Every dependency condition names a service that defines a health check.
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(compose.services[dep]).toBeDefined();
        if (condition === 'service_healthy')
          expect([name, dep, compose.services[dep].healthcheck]).toEqual([name, dep, expect.anything()]);
      }
    }
  });

  it('keeps secrets out of the compose file: env_files and compose secrets hold obviously fake values', () => {
    const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(text).not.toMatch(/CONNECTOR_ENCRYPTION_KEY:|DATABASE_URL:|PASSWORD:/);
    for (const f of Object.values(compose.secrets ?? {}))
      expect(readFileSync(join(ROOT, f.file), 'utf8')).toMatch(/not-a-secret/);
    expect(parseEnvFile(join(ROOT, 'deploy/docker/audit.env'))['DATABASE_URL']).toMatch(/not-a-secret/);
    const key = parseEnvFile(join(ROOT, 'deploy/docker/connector.env'))['CONNECTOR_ENCRYPTION_KEY'];
    expect(key).toBe(DEMO_ENCRYPTION_KEY);
    expect(Buffer.from(key, 'base64').toString('utf8')).toMatch(/not-a-secret/);
  });

  it('mounts a tenants file that the demo key decrypts and that points at the compose simulators', () => {
    const app = compose.services['mapper'];
    const mount = (app.volumes ?? []).find((v) => v.endsWith(':/etc/connector:ro'));
    expect(mount).toBeDefined();
    const file = join(resolve(ROOT, mount!.split(':')[0]), 'tenants.json');
    const registry = TenantRegistry.fromFile(file, DEMO_ENCRYPTION_KEY);
    const demo = registry.get('demo');
    expect(demo?.servicetitan.apiBaseUrl).toBe(
      `http://servicetitan-simulator:${compose.services['servicetitan-simulator'].environment?.['PORT']}`,
    );
    expect(demo?.sageX3.baseUrl).toBe(
      `http://sage-x3-simulator:${compose.services['sage-x3-simulator'].environment?.['PORT']}`,
    );
    expect(() => TenantRegistry.fromFile(file, SecretBox.generateKey())).toThrow();
  });

  it('points Prometheus at every connector app on its container port', () => {
    const cfg = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.compose.yml'), 'utf8')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = cfg.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets)).sort();
    expect(targets).toEqual(CONNECTOR_APPS.map((a) => `${a}:${compose.services[a].environment?.['PORT']}`).sort());
  });
});

describe('deploy/docker/app.Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'deploy/docker/app.Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1];

  /**
   * Loads apps/<app>/webpack.config.js (and the shared webpack.app.config.js it calls) with a stub plugin that keeps
   * its options: the output path and the plugin options, as the real build would see them.
   */
  function webpackOutput(app: string): {
    path: string;
    main: string;
    outputFileName: string;
    generatePackageJson: boolean;
  } {
    let config!: { output: { path: string }; plugins: Array<{ options: Record<string, unknown> }> };
    jest.isolateModules(() => {
      jest.doMock('@nx/webpack/app-plugin', () => ({
        NxAppWebpackPlugin: class {
          constructor(readonly options: Record<string, unknown>) {}
        },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      config = require(join(ROOT, 'apps', app, 'webpack.config.js'));
    });
    const opts = config.plugins[0].options;
    return {
      path: config.output.path,
      main: String(opts['main']),
      outputFileName: String(opts['outputFileName'] ?? 'main.js'),
      generatePackageJson: opts['generatePackageJson'] === true,
    };
  }

  it.each(ALL_APPS)('copies the %s build output from where webpack writes it and runs its main.js', (app) => {
    const out = webpackOutput(app);
    const copy = runtime.match(/^COPY --from=build \S+ \/workspace\/(\S+)\/ \.\/$/m);
    expect(copy).not.toBeNull();
    expect(resolve(ROOT, copy![1].replace('${APP}', app))).toBe(resolve(out.path));
    // The deps stage installs from the manifests the build generates beside main.js.
    expect(out.generatePackageJson).toBe(true);
    expect(dockerfile).toMatch(/COPY --from=build \/workspace\/dist\/apps\/\$\{APP\}\/package\*\.json \.\//);
    const entry = runtime.match(/^ENTRYPOINT (\[.*\])$/m);
    expect(JSON.parse(entry![1])).toEqual(['node', out.outputFileName]);
    expect(existsSync(join(ROOT, 'apps', app, out.main.replace('./', '')))).toBe(true);
  });

  it('builds with nx, installs production dependencies with npm ci, and runs as a non-root user with a health check', () => {
    expect(dockerfile).toMatch(/RUN npx nx build "\$\{APP\}"/);
    expect(stages.some((s) => /npm ci --omit=dev/.test(s))).toBe(true);
    expect(runtime).toMatch(/^\$\{NODE_IMAGE\} AS runtime/);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-[a-z]+-slim$/m);
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "\/app\/healthcheck\.js"\]$/m);
    expect(runtime).toMatch(/^COPY --chown=1000:1000 deploy\/docker\/healthcheck\.js \/app\/healthcheck\.js$/m);
    // No build tooling in the runtime image: only node_modules from the deps stage and the dist output.
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it('keeps the build context small', () => {
    const ignore = readFileSync(join(ROOT, 'deploy/docker/app.Dockerfile.dockerignore'), 'utf8').split('\n');
    for (const p of ['**/node_modules', 'dist', '.cache', '.git']) expect(ignore).toContain(p);
  });
});
