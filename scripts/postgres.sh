#!/usr/bin/env bash
# Local PostgreSQL 15 server for the audit-service (integration tests, local runs). Idempotent.
#   scripts/postgres.sh start|stop|status|url
# Runs Debian's binaries (/usr/lib/postgresql/15/bin) as the unprivileged system user $PGUSER_OS, never as root.
# Env: PGPORT (5433), PGHOST_BIND (127.0.0.1), PGDATA_DIR (.cache/postgres/data-$PGPORT), PGUSER_OS (connectorpg),
#      PG_BIN (/usr/lib/postgresql/15/bin), CONNECTOR_DB (connector), CONNECTOR_DB_USER (connector),
#      CONNECTOR_DB_PASSWORD (dev-only default below: never use it anywhere that matters).
# Prints DATABASE_URL=postgres://… on stdout after start (and for `url`); logs go to stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PGPORT:-5433}"
BIND="${PGHOST_BIND:-127.0.0.1}"
OS_USER="${PGUSER_OS:-connectorpg}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
CACHE="$ROOT/.cache/postgres"
DATA="${PGDATA_DIR:-$CACHE/data-$PORT}"
RUN="${PGRUN_DIR:-$CACHE/run-$PORT}"
LOG="$RUN/postgres.log"
DB="${CONNECTOR_DB:-connector}"
DB_USER="${CONNECTOR_DB_USER:-connector}"
DB_PASSWORD="${CONNECTOR_DB_PASSWORD:-dev-password-not-secret-000}"

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "CONNECTOR_DB must be a lowercase identifier"
[[ "$DB_USER" =~ ^[a-z_][a-z0-9_]*$ ]] || die "CONNECTOR_DB_USER must be a lowercase identifier"
[[ "$DB_PASSWORD" != *"'"* ]] || die "CONNECTOR_DB_PASSWORD must not contain a single quote"

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a command as the PostgreSQL OS user (runuser when root; directly when we already are that user).
as_pg() {
  if is_root; then runuser -u "$OS_USER" -- "$@"; else "$@"; fi
}

ensure_binaries() {
  if [[ -x "$PG_BIN/pg_ctl" ]]; then return 0; fi
  is_root || die "PostgreSQL 15 binaries missing in $PG_BIN; install them (apt-get install -y postgresql) or set PG_BIN"
  log "installing Debian's postgresql package"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  [[ -x "$PG_BIN/pg_ctl" ]] || die "postgresql installed but $PG_BIN/pg_ctl is still missing (set PG_BIN to your version's bin dir)"
}

ensure_user() {
  is_root || return 0
  if ! id -u "$OS_USER" >/dev/null 2>&1; then
    log "creating system user $OS_USER"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER"
  fi
}

# The data dir must belong to the server user (initdb refuses otherwise) and every parent must be traversable.
ensure_dirs() {
  mkdir -p "$DATA" "$RUN"
  if is_root; then
    chown "$OS_USER" "$DATA" "$RUN"
    chmod 700 "$DATA"
    local d
    d="$(dirname "$DATA")"
    while [[ "$d" != "/" ]]; do
      chmod o+x "$d" 2>/dev/null || true
      d="$(dirname "$d")"
    done
    d="$(dirname "$RUN")"
    while [[ "$d" != "/" ]]; do
      chmod o+x "$d" 2>/dev/null || true
      d="$(dirname "$d")"
    done
  fi
}

running() { as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }
ready() { "$PG_BIN/pg_isready" -q -h "$BIND" -p "$PORT" >/dev/null 2>&1; }
psql_admin() { as_pg "$PG_BIN/psql" -v ON_ERROR_STOP=1 -q -At -h "$BIND" -p "$PORT" -U "$OS_USER" -d postgres "$@"; }

url() { printf 'DATABASE_URL=postgres://%s:%s@%s:%s/%s\n' "$DB_USER" "$DB_PASSWORD" "$BIND" "$PORT" "$DB"; }

start() {
  ensure_binaries
  ensure_user
  ensure_dirs
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    log "initialising a cluster in $DATA"
    # Local connections trust the OS user only over the socket; TCP needs a password (scram-sha-256).
    as_pg "$PG_BIN/initdb" -D "$DATA" -U "$OS_USER" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    # The bootstrap superuser reaches TCP with trust from 127.0.0.1 only (used by this script's psql calls).
    sed -i "1i host all $OS_USER 127.0.0.1/32 trust" "$DATA/pg_hba.conf"
  fi
  if running; then
    log "already running on $BIND:$PORT (data $DATA)"
  else
    if (exec 3<>"/dev/tcp/$BIND/$PORT") 2>/dev/null; then die "port $PORT is taken by another process"; fi
    log "starting on $BIND:$PORT"
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-c listen_addresses=$BIND -c port=$PORT -c unix_socket_directories=$RUN -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null || { tail -n 30 "$LOG" >&2 || true; die "pg_ctl start failed"; }
  fi
  for _ in $(seq 1 120); do ready && break; sleep 0.5; done
  ready || die "server did not become ready on $BIND:$PORT"
  if [[ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]]; then
    psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
  else
    psql_admin -c "ALTER ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'"
  fi
  if [[ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]]; then
    psql_admin -c "CREATE DATABASE $DB OWNER $DB_USER"
  fi
  # Integration tests create a schema per run; the app user owns its database, so it may.
  log "ready"
  url
}

stop() {
  if [[ -f "$DATA/PG_VERSION" ]] && running; then
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    log "stopped"
  else
    log "not running"
  fi
}

status() {
  if [[ -f "$DATA/PG_VERSION" ]] && running && ready; then
    log "running on $BIND:$PORT (data $DATA)"
    url
  else
    log "not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart|url" >&2; exit 2 ;;
esac
