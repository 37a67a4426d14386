#!/usr/bin/env bash
# Runs every test: static checks (types, module boundaries), unit tests, then integration suites against a
# real Kafka broker and a real PostgreSQL server that this script starts. Ends with "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/.cache/test-results"
rm -rf "$OUT" && mkdir -p "$OUT"
log() { printf '\n[test] %s\n' "$*" >&2; }

bash scripts/bootstrap.sh || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/kafka.sh start || { echo "0 passed, 1 failed"; exit 1; }
if [[ -x scripts/postgres.sh ]]; then
  bash scripts/postgres.sh start > "$OUT/postgres.txt" || { echo "0 passed, 1 failed"; exit 1; }
  DATABASE_URL_TEST="$(grep -Eo 'postgres(ql)?://[^ ]+' "$OUT/postgres.txt" | tail -n1)"
  export DATABASE_URL_TEST
fi
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"

# Static checks count as tests: one result line each.
check() { # name command...
  local name="$1"; shift
  log "check: $name"
  if "$@" > "$OUT/check-$name.log" 2>&1; then echo "pass $name" >> "$OUT/checks.txt"; else echo "fail $name" >> "$OUT/checks.txt"; tail -n 40 "$OUT/check-$name.log" >&2; fi
}
check typecheck npx tsc -p tsconfig.typecheck.json --noEmit
check build bash -c "NX_DAEMON=false npx nx run-many -t build --projects=webhook-gateway,mapper,x3-poster,x3-poller,audit-service,servicetitan-simulator-server,sage-x3-simulator-server --parallel=1 --skip-nx-cache"
check lint bash -c "NX_DAEMON=false npx nx show projects >/dev/null && npx eslint --quiet apps libs && npm run -s format:check"

log "unit tests"
npx jest --selectProjects unit --maxWorkers=2 --json --outputFile="$OUT/unit.json" 2>&1 | tee "$OUT/unit.log" | grep -E "^(PASS|FAIL)|●|Tests:|Test Suites:" || true
log "integration tests (real Kafka, real PostgreSQL)"
npx jest --selectProjects integration --runInBand --json --outputFile="$OUT/integration.json" 2>&1 | tee "$OUT/integration.log" | grep -E "^(PASS|FAIL)|●|Tests:|Test Suites:" || true

# Failure details (the full logs stay in .cache/test-results/*.log).
grep -h -A 30 "●" "$OUT/unit.log" "$OUT/integration.log" 2>/dev/null | head -n 400 || true
node scripts/test-summary.js "$OUT" | tee "$OUT/summary.txt"
grep -qE '^[0-9]+ passed, 0 failed' "$OUT/summary.txt"
