#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) from Maven Central jars. Idempotent.
#   scripts/kafka.sh start|stop|status|restart|fetch
# Env: KAFKA_VERSION (pinned in scripts/kafka/pom.xml), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
#      KAFKA_DATA_DIR (.cache/kafka/data), KAFKA_CACHE_DIR (.cache/kafka), KAFKA_HEAP (1536m)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/scripts/kafka/pom.xml")}"
CACHE="${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}"
LIBS="$CACHE/libs-$KAFKA_VERSION"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
DATA="${KAFKA_DATA_DIR:-$CACHE/data-$PORT}"
RUN="$CACHE/run-$PORT"
PIDFILE="$RUN/kafka.pid"
LOG="$RUN/kafka.log"

log() { printf '[kafka] %s\n' "$*" >&2; }

fetch() {
  if [[ -f "$LIBS/.complete" ]]; then return 0; fi
  log "resolving Apache Kafka $KAFKA_VERSION from Maven Central into $LIBS"
  rm -rf "$LIBS.tmp"
  mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$LIBS.tmp"
  rm -rf "$LIBS" && mv "$LIBS.tmp" "$LIBS" && touch "$LIBS/.complete"
}

running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ready = the broker answers a metadata request (not merely an open port).
ready() {
  java -cp "$LIBS/*" -Dlog4j2.level=ERROR org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "127.0.0.1:$PORT" >/dev/null 2>&1 || \
  java -cp "$LIBS/*" kafka.admin.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:$PORT" >/dev/null 2>&1
}

start() {
  fetch
  if running; then log "already running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT"; return 0; fi
  if port_open "$PORT"; then
    if ready; then log "a Kafka broker already answers on 127.0.0.1:$PORT; using it"; return 0; fi
    log "port $PORT is taken by another process"; exit 1
  fi
  mkdir -p "$RUN" "$DATA"
  cat > "$RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
  cat > "$RUN/log4j2.properties" <<PROPS
status = error
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $RUN/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = WARN
PROPS
  if [[ ! -f "$DATA/meta.properties" ]]; then
    local cid
    cid="$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    java -cp "$LIBS/*" -Dlog4j2.configurationFile="$RUN/log4j2.properties" kafka.tools.StorageTool format \
      -t "$cid" -c "$RUN/server.properties" -g >/dev/null
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$PORT (data $DATA)"
  nohup java -Xmx"${KAFKA_HEAP:-1536m}" -Xms128m -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$RUN/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$RUN/server.properties" >"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if ! running; then log "broker exited; last log lines:"; tail -n 30 "$LOG" >&2; exit 1; fi
    if port_open "$PORT" && ready; then log "ready"; return 0; fi
    sleep 1
  done
  log "not ready after 120 s"; tail -n 30 "$LOG" >&2; exit 1
}

stop() {
  if ! running; then rm -f "$PIDFILE"; log "not running"; return 0; fi
  local pid; pid="$(cat "$PIDFILE")"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; log "stopped"; return 0; }; sleep 1; done
  log "forcing stop"; kill -9 "$pid" 2>/dev/null || true; rm -f "$PIDFILE"
}

case "${1:-start}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if running && ready; then log "running on 127.0.0.1:$PORT"; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|restart|fetch" >&2; exit 2 ;;
esac
