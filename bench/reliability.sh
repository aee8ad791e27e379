#!/usr/bin/env bash
# The reliability run of docs/reliability.md (issue 17): `up` in a throwaway data directory, `load order` with
# CLIENTS closed-loop clients for DURATION_S seconds (each order followed by polling it), and, from CHAOS_AFTER_S
# into the load, `chaos` killing a random service with -9 every EVERY_S seconds for CHAOS_S seconds (up restarts
# it). Once load has waited for every order it placed, `verify --settle 60` checks the books. It prints when the
# last kill was, when load ended, load's JSON result and verify's table, and keeps every log in OUT.
# Builds nothing: run `./mvnw -B -q -DskipTests package -pl launcher -am` first.
#
# Usage: bench/reliability.sh
# Environment: CLIENTS (16), DURATION_S (420), CHAOS_AFTER_S (20), CHAOS_S (400), EVERY_S (5), SEED (20261207),
#   PORT (18180: the gateway), OUT (a new directory under /tmp), BENCH_JAR (launcher/target/launcher.jar).
set -u
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-16}
DURATION_S=${DURATION_S:-420}
CHAOS_AFTER_S=${CHAOS_AFTER_S:-20}
CHAOS_S=${CHAOS_S:-400}
EVERY_S=${EVERY_S:-5}
SEED=${SEED:-20261207}
PORT=${PORT:-18180}
OUT=${OUT:-$(mktemp -d /tmp/microshop-reliability.XXXX)}
JAR=${BENCH_JAR:-launcher/target/launcher.jar}
[ -f "$JAR" ] || { echo "no $JAR: build it first (./mvnw -B -q -DskipTests package -pl launcher -am)" >&2; exit 2; }
mkdir -p "$OUT"
cp "$JAR" "$OUT/launcher.jar" # a rebuild during the run must not change the JVMs up restarts
J=(java -jar "$OUT/launcher.jar")
export MICROSHOP_DATA_DIR="$OUT/data" MICROSHOP_GATEWAY_HTTP_PORT=$PORT MICROSHOP_UP_MAX_RESTARTS=1000
GATEWAY=http://127.0.0.1:$PORT

UP_PID=
stop() {
  if [ -n "$UP_PID" ] && kill -0 "$UP_PID" 2>/dev/null; then
    kill -TERM "$UP_PID"
    for _ in $(seq 1 60); do kill -0 "$UP_PID" 2>/dev/null || break; sleep 1; done
  fi
}
trap stop EXIT

"${J[@]}" up > "$OUT/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 240); do grep -q "microshop is up in" "$OUT/up.log" && break; sleep 1; done
grep -q "microshop is up in" "$OUT/up.log" || { echo "up did not start: $OUT/up.log" >&2; exit 1; }
for _ in $(seq 1 60); do curl -s "$GATEWAY/v1/status" | grep -q '"status":"UP"' && break; sleep 1; done

echo "reliability: $CLIENTS clients for ${DURATION_S}s, a kill every ${EVERY_S}s for ${CHAOS_S}s; logs in $OUT"
"${J[@]}" load order --gateway "$GATEWAY" --concurrency "$CLIENTS" --duration "${DURATION_S}s" --warmup 1s \
  --data-dir "$OUT/data" --products 5 --final-timeout 120s --follow poll --poll-ms 250 \
  --acknowledged "$OUT/acked.txt" --json > "$OUT/load.json" 2> "$OUT/load.err" &
LOAD_PID=$!
sleep "$CHAOS_AFTER_S"
"${J[@]}" chaos --gateway "$GATEWAY" --every "${EVERY_S}s" --duration "${CHAOS_S}s" --seed "$SEED" > "$OUT/chaos.log" 2>&1
echo "reliability: chaos ended $(date +%T): $(grep -c "^chaos: [0-9:.]* kill -9" "$OUT/chaos.log") kills, $(grep -c "skipped a tick" "$OUT/chaos.log") ticks skipped"
wait "$LOAD_PID"
echo "reliability: load ended $(date +%T), exit $? (1 when a request failed, as 503s under chaos do)"
tail -1 "$OUT/load.json"
"${J[@]}" verify --acknowledged "$OUT/acked.txt" --settle 60 | tee "$OUT/verify.log"
exit "${PIPESTATUS[0]}"
