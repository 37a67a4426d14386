#!/usr/bin/env bash
# A real Prometheus for tests and local runs (Debian's `prometheus` package, which also brings promtool).
#   scripts/prometheus.sh install                       install the package if prometheus/promtool are missing
#   scripts/prometheus.sh paths                         print "PROMETHEUS=<path>" and "PROMTOOL=<path>" lines
#   scripts/prometheus.sh run <config.yml> <data-dir> [port]
#                                                       run in the foreground on 127.0.0.1:<port> (0/none = a free port);
#                                                       prints "PROMETHEUS_URL=http://127.0.0.1:<port>" first
# Env: PROMETHEUS_BIN, PROMTOOL_BIN (override the binaries; default: PATH, then /usr/bin)
set -euo pipefail
log() { printf '[prometheus] %s\n' "$*" >&2; }

find_bin() {
  local override="$1" name="$2"
  if [[ -n "$override" ]]; then echo "$override"; return 0; fi
  command -v "$name" 2>/dev/null || { [[ -x "/usr/bin/$name" ]] && echo "/usr/bin/$name"; } || true
}

install() {
  if [[ -n "$(find_bin "${PROMETHEUS_BIN:-}" prometheus)" && -n "$(find_bin "${PROMTOOL_BIN:-}" promtool)" ]]; then return 0; fi
  if [[ "$(id -u)" != "0" ]]; then log "prometheus is not installed and this is not root: apt-get install prometheus"; exit 1; fi
  log "installing Debian's prometheus package (prometheus + promtool)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # --no-install-recommends: no node-exporter and friends; policy-rc.d keeps the package from starting a service.
  local prc=/usr/sbin/policy-rc.d created=0
  if [[ ! -e "$prc" ]]; then printf '#!/bin/sh\nexit 101\n' > "$prc"; chmod +x "$prc"; created=1; fi
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  if [[ "$created" == 1 ]]; then rm -f "$prc"; fi
}

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

case "${1:-}" in
  install) install ;;
  paths)
    install
    echo "PROMETHEUS=$(find_bin "${PROMETHEUS_BIN:-}" prometheus)"
    echo "PROMTOOL=$(find_bin "${PROMTOOL_BIN:-}" promtool)"
    ;;
  run)
    config="${2:?config file}"; data="${3:?data dir}"; port="${4:-0}"
    install
    [[ "$port" == "0" ]] && port="$(free_port)"
    mkdir -p "$data"
    echo "PROMETHEUS_URL=http://127.0.0.1:$port"
    exec "$(find_bin "${PROMETHEUS_BIN:-}" prometheus)" --config.file="$config" --storage.tsdb.path="$data" \
      --web.listen-address="127.0.0.1:$port" --web.enable-lifecycle --log.level=warn
    ;;
  *) echo "usage: $0 install | paths | run <config.yml> <data-dir> [port]" >&2; exit 2 ;;
esac
