#!/usr/bin/env bash
# The main job, end to end on embedded defaults: Kafka, both API simulators, the five apps (audit trail in
# embedded PGlite), a demo tenant with freshly encrypted secrets, and a demo run. Ctrl-C stops everything.
#   npm start            run and keep running
#   npm start -- --once  run the demo, print the outcome, stop (exit code = outcome)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ONCE=false; [[ "${1:-}" == "--once" ]] && ONCE=true
# Each start is a fresh run (the simulators keep their data in memory): its own topic namespace and audit database.
RUN_ID="run-$(date +%Y%m%d-%H%M%S)"
DEMO="$ROOT/.cache/demo/$RUN_ID"; LOGS="$DEMO/logs"
mkdir -p "$LOGS"
ln -sfn "$DEMO" "$ROOT/.cache/demo/latest"
log() { printf '[start] %s\n' "$*" >&2; }
export SWC_NODE_PROJECT="$ROOT/tsconfig.base.json"
TS="node -r @swc-node/register"

bash scripts/bootstrap.sh
bash scripts/kafka.sh start

ST_PORT=${ST_SIM_PORT:-4010}; X3_PORT=${X3_SIM_PORT:-4020}
ST_URL="http://127.0.0.1:$ST_PORT"; X3_URL="http://127.0.0.1:$X3_PORT"
declare -A PORTS=([webhook-gateway]=3001 [mapper]=3002 [x3-poster]=3003 [x3-poller]=3004 [audit-service]=3005)

PIDS=()
cleanup() {
  log "stopping"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# Demo tenant: a new encryption key and tenants file on every start (nothing secret is committed).
$TS scripts/demo/write-demo-seeds.ts "$DEMO" >/dev/null
KEY="$($TS libs/config/src/cli/tenant.cli.ts keygen)"
rm -f "$DEMO/tenants.json"
cp config/demo/mapping-rules.json "$DEMO/mapping-rules.json"
sed "s#\${ST_SIM_URL}#$ST_URL#g; s#\${X3_SIM_URL}#$X3_URL#g" config/demo/tenant.template.json \
  | CONNECTOR_ENCRYPTION_KEY="$KEY" $TS libs/config/src/cli/tenant.cli.ts add "$DEMO/tenants.json" >/dev/null
WEBHOOK_SECRET="$(node -e "console.log(require('./config/demo/tenant.template.json').servicetitan.webhook.secrets[0])")"
ADMIN_TOKEN="demo-admin-$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")"
ADMIN_SHA="$(printf '%s' "$ADMIN_TOKEN" | sha256sum | cut -d' ' -f1)"

log "starting simulators (ServiceTitan $ST_URL, Sage X3 $X3_URL)"
PORT=$ST_PORT HOST=127.0.0.1 SEED_FILE="$DEMO/servicetitan-seed.json" $TS apps/servicetitan-simulator/src/main.ts >"$LOGS/servicetitan-simulator.log" 2>&1 & PIDS+=($!)
PORT=$X3_PORT HOST=127.0.0.1 SEED_FILE="$DEMO/sage-x3-seed.json" PUBLIC_URL="$X3_URL" $TS apps/sage-x3-simulator/src/main.ts >"$LOGS/sage-x3-simulator.log" 2>&1 & PIDS+=($!)

for app in webhook-gateway mapper x3-poster x3-poller audit-service; do
  log "starting $app on :${PORTS[$app]}"
  KAFKA_TOPIC_PREFIX="demo-$RUN_ID" PORT=${PORTS[$app]} TENANTS_FILE="$DEMO/tenants.json" CONNECTOR_ENCRYPTION_KEY="$KEY" \
    AUDIT_ADMIN_TOKEN_SHA256="$ADMIN_SHA" AUDIT_PGLITE_DIR="$DEMO/audit-pglite" ST_PULL_INITIAL_DELAY_MS=8000 X3_POLL_INITIAL_DELAY_MS=1000 \
    ST_OWNER_HANDOVER_GRACE_MS=2000 ST_TRIGGER_MAX_DELAY_MS=2000 \
    $TS apps/$app/src/main.ts >"$LOGS/$app.log" 2>&1 & PIDS+=($!)
done

for app in webhook-gateway mapper x3-poster x3-poller audit-service; do
  for i in $(seq 1 180); do
    if curl -fs "http://127.0.0.1:${PORTS[$app]}/health/ready" >/dev/null 2>&1; then break; fi
    if (( i == 180 )); then log "$app did not become ready; last log lines:"; tail -n 20 "$LOGS/$app.log" >&2; exit 1; fi
    sleep 1
  done
done
log "all five apps are ready (logs in $LOGS)"
log "operator console: http://127.0.0.1:3005/console  admin token: $ADMIN_TOKEN"
log "metrics: http://127.0.0.1:300{1..5}/metrics"

GATEWAY_URL=http://127.0.0.1:3001 X3_SIM_URL="$X3_URL" AUDIT_URL=http://127.0.0.1:3005 AUDIT_TOKEN="$ADMIN_TOKEN" \
  WEBHOOK_SECRET="$WEBHOOK_SECRET" ST_SEED_FILE="$DEMO/servicetitan-seed.json" $TS scripts/demo/run-demo.ts && rc=0 || rc=$?
if $ONCE; then exit $rc; fi
log "running; Ctrl-C to stop"
wait
