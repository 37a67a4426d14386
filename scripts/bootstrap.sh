#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine of this kind (idempotent; fast when done):
# npm packages, system packages (PostgreSQL, Chromium, Prometheus), the Kafka broker jars, helm.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[bootstrap] %s\n' "$*" >&2; }

# npm: reinstall when node_modules is missing or older than the lockfile.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # `npm install` rather than `npm ci`: npm 11's ci rejects this lockfile over sass-embedded's platform-only
  # optional packages (recorded without versions); install still follows the lockfile's pinned versions.
  log "npm install (from package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
fi

[[ -x scripts/install-system-deps.sh ]] && bash scripts/install-system-deps.sh
bash scripts/kafka.sh fetch
[[ -x scripts/install-helm.sh ]] && bash scripts/install-helm.sh
log "done"
