#!/usr/bin/env bash
# Installs the chart-testing tools into .cache/tools/bin (idempotent, offline-friendly after the first run):
#   helm                 helm.sh/helm/v3 (pinned), built with `go install` from the Go module proxy
#   k8s-manifest-check   deploy/tools/k8s-manifest-check: strict decoding of rendered manifests into the
#                        k8s.io/api Go types (unknown fields, wrong types, unknown kinds fail) — the offline
#                        replacement for kubeconform, whose JSON schemas are only downloadable from GitHub.
# Usage: scripts/install-helm.sh [--print-dir]
# Env: HELM_VERSION (v3.19.0), GO (/usr/local/go/bin/go or go on PATH), TOOLS_DIR (.cache/tools)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM_VERSION="${HELM_VERSION:-v3.19.0}"
TOOLS="${TOOLS_DIR:-$ROOT/.cache/tools}"
BIN="$TOOLS/bin"
GO="${GO:-}"
if [[ -z "$GO" ]]; then
  if [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; else GO="$(command -v go || true)"; fi
fi
log() { printf '[install-helm] %s\n' "$*" >&2; }
mkdir -p "$BIN"

need_go() { [[ -n "$GO" ]] || { log "Go is required (set GO=/path/to/go)"; exit 1; }; }

# helm: rebuild only when the pinned version changes.
if [[ ! -x "$BIN/helm" || "$(cat "$BIN/.helm-version" 2>/dev/null)" != "$HELM_VERSION" ]]; then
  need_go
  log "building helm $HELM_VERSION into $BIN (first run takes a few minutes)"
  GOBIN="$BIN" CGO_ENABLED=0 GOFLAGS=-mod=mod "$GO" install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" > "$BIN/.helm-version"
fi

# k8s-manifest-check: rebuild when its sources change.
SRC="$ROOT/deploy/tools/k8s-manifest-check"
SUM="$(cat "$SRC"/go.mod "$SRC"/go.sum "$SRC"/*.go 2>/dev/null | sha256sum | cut -c1-16)"
if [[ ! -x "$BIN/k8s-manifest-check" || "$(cat "$BIN/.k8s-manifest-check" 2>/dev/null)" != "$SUM" ]]; then
  need_go
  log "building k8s-manifest-check into $BIN"
  (cd "$SRC" && CGO_ENABLED=0 "$GO" build -o "$BIN/k8s-manifest-check" .)
  echo "$SUM" > "$BIN/.k8s-manifest-check"
fi

if [[ "${1:-}" == "--print-dir" ]]; then echo "$BIN"; else log "ready: $("$BIN/helm" version --short) in $BIN"; fi
