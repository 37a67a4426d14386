#!/usr/bin/env bash
# System packages the test suites need beyond Node, Java and Go: headless Chromium (console browser tests via
# playwright-core), PostgreSQL 15 server binaries (scripts/postgres.sh) and Prometheus with promtool (scrape and
# rules tests). Idempotent: installs only what is
# missing, so a warm machine costs nothing. Needs root (CI and the dev machines run as root).
#   scripts/install-system-deps.sh
set -euo pipefail

log() { printf '[system-deps] %s\n' "$*" >&2; }

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
{ [[ -x /usr/bin/prometheus ]] && [[ -x /usr/bin/promtool ]]; } || missing+=(prometheus)

if [[ ${#missing[@]} -eq 0 ]]; then
  log "chromium, postgresql and prometheus already installed"
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
  log "missing: ${missing[*]}; run this script as root (or: sudo apt-get install -y ${missing[*]})"
  exit 1
fi
log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package may start a cluster of its own on 5432 under systemd-less hosts only when asked;
# scripts/postgres.sh runs its own cluster on 5433 and never touches it.
log "done"
