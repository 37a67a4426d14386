import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './app-env';

/** helm + k8s-manifest-check, built on first use into .cache/tools/bin by scripts/install-helm.sh (idempotent). */
export function chartTools(): { helm: string; manifestCheck: string } {
  const dir = execFileSync('bash', [join(ROOT, 'scripts/install-helm.sh'), '--print-dir'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return { helm: join(dir, 'helm'), manifestCheck: join(dir, 'k8s-manifest-check') };
}

/** prometheus + promtool from Debian's package, installed by scripts/prometheus.sh when missing. */
export function prometheusTools(): { prometheus: string; promtool: string } {
  const out = execFileSync('bash', [join(ROOT, 'scripts/prometheus.sh'), 'paths'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const get = (k: string) => {
    const line = out.split('\n').find((l) => l.startsWith(`${k}=`));
    if (!line || line.length === k.length + 1) throw new Error(`scripts/prometheus.sh paths did not report ${k}`);
    return line.slice(k.length + 1);
  };
  return { prometheus: get('PROMETHEUS'), promtool: get('PROMTOOL') };
}
