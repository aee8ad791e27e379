#!/usr/bin/env bash
# Throughput and p50/p99 of `GET /v1/products/{id}` through the gateway (issue 3), beside two floors measured in
# the same run on the same machine:
#   hello    a bare vertx-web Router answering GET /hello (bench/java/BareHello.java), 1 verticle instance
#   forward  a bare HTTP -> clustered event bus -> second JVM -> reply forward (bench/java/BareForward.java),
#            2 HTTP verticle instances (the configuration of the 35 k req/s anchor in the team notes)
#   catalog  the gateway and inventory JVMs of microshop, on the embedded PostgreSQL, with the demo catalog
# and prints the ratios catalog / forward and catalog / hello. The load is `java -jar launcher.jar load browse
# --path P --concurrency C` against each (closed loop, HTTP/1.1 keep-alive, one request in flight per
# connection, HdrHistogram percentiles); a JDK, jq and the built launcher jar are all it needs. Builds nothing:
# run `./mvnw -B -q -DskipTests package` first.
#
# Usage: bench/catalog-read.sh [MICROSHOP_NAME=value ...]
#   The arguments are setting overrides for the microshop JVMs only (A/B runs), e.g.
#   MICROSHOP_INVENTORY_DB_POOL_SIZE=8. Inherited MICROSHOP_* variables are ignored.
# Environment: READ (product: GET /v1/products/{id}; list: GET /v1/products?limit=10, a page of 3.2 KB),
#   ROUNDS (default 3), PREWARM_S (30: JIT warm-up per target, once), WARMUP_S (5), MEASURE_S (10), CONNECTIONS (16,64),
#   FORWARD_INSTANCES (2), HELLO_INSTANCES (1), SERVER_JVM_OPTS (JVM flags for every server JVM; default none).
#
# The anonymous rate limit is raised to 10^9 per minute for the run; its check stays on the path (a Hazelcast
# entry processor per request). Everything runs from a copy of the jar taken at start, in a throwaway data
# directory, with its own Hazelcast cluster names and ports (5851.. for microshop, 5871.. for the forward), so it
# never joins or disturbs a developer's microshop. Every wait is bounded; every process it started is stopped on
# exit, also on failure or Ctrl-C.
set -u -o pipefail

READY_TIMEOUT_S=180
STOP_TIMEOUT_S=20
CLUSTER_PORT=5851
FORWARD_PORT=5871
ROUNDS=${ROUNDS:-3}
READ=${READ:-product}
PREWARM_S=${PREWARM_S:-30}
WARMUP_S=${WARMUP_S:-5}
MEASURE_S=${MEASURE_S:-10}
CONNECTIONS=${CONNECTIONS:-16,64}
FORWARD_INSTANCES=${FORWARD_INSTANCES:-2}
HELLO_INSTANCES=${HELLO_INSTANCES:-1}
read -r -a SERVER_JVM_OPTS <<<"${SERVER_JVM_OPTS:-}"
# What the launcher jar's manifest grants under `java -jar`; the bare servers run with -cp and need them on the
# command line, or Hazelcast falls back to slower code ("modular environment" warning).
OPENS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)

cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
JAR=${BENCH_JAR:-launcher/target/launcher.jar}  # BENCH_JAR: another build, for A/B runs
if [[ ! -f $JAR ]]; then
  echo "bench: $JAR is missing; build it first: ./mvnw -B -q -DskipTests package" >&2
  exit 1
fi
for tool in java javac jq curl ps; do
  command -v "$tool" >/dev/null || { echo "bench: '$tool' is not on PATH" >&2; exit 1; }
done
OVERRIDES=()
for arg in "$@"; do
  [[ $arg =~ ^MICROSHOP_[A-Z0-9_]+=.*$ ]] || { echo "bench: expected MICROSHOP_NAME=value, got '$arg'" >&2; exit 2; }
  OVERRIDES+=("$arg")
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/microshop-bench.XXXXXX")
DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/microshop-bench-data.XXXXXX")
RUN_JAR=$WORK/launcher.jar
CP=$RUN_JAR:$WORK/classes
PIDS=()        # every server JVM this script started, in start order
LOADGEN_PID=""

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# Bash runs a trap only once the foreground command returns; `wait` returns at once, so Ctrl-C is prompt.
nap() {
  sleep "$1" &
  wait $!
}

# Alive and not a zombie waiting to be reaped (kill -0 succeeds on zombies).
alive() {
  [[ -n ${1:-} && -r /proc/$1/stat ]] || return 1
  local stat
  stat=$(</proc/"$1"/stat) 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# Waits up to $2 seconds for process $1 to exit; true if it did.
await_exit() {
  local pid=$1 deadline=$(( $(now_ms) + $2 * 1000 ))
  while alive "$pid"; do
    (( $(now_ms) >= deadline )) && return 1
    nap 0.1
  done
}

# SIGTERM, a bounded wait, then SIGKILL. For processes this script started (or that they started).
stop_pid() {
  local pid=$1 grace=$2
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  if ! await_exit "$pid" "$grace"; then
    echo "bench: pid $pid ignored SIGTERM for ${grace} s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
    await_exit "$pid" 5
  fi
}

postmaster_pid() { head -n1 "$DATA_DIR/pg/postmaster.pid" 2>/dev/null | tr -d ' '; }

# Bounded (about a minute at worst) and deaf to further Ctrl-C, so it always finishes.
cleanup() {
  local code=$?
  trap '' INT TERM
  trap - EXIT
  [[ -n $LOADGEN_PID ]] && stop_pid "$LOADGEN_PID" 5
  local pg i
  pg=$(postmaster_pid)
  # In parallel, so the bound is one grace period, not one per JVM.
  for (( i = ${#PIDS[@]} - 1; i >= 0; i-- )); do
    stop_pid "${PIDS[i]}" "$STOP_TIMEOUT_S" &
  done
  wait
  # The inventory JVM stops the PostgreSQL it started; only if it died or was killed is the server left over.
  if [[ -n $pg ]] && alive "$pg"; then
    echo "bench: stopping leftover PostgreSQL pid $pg" >&2
    stop_pid "$pg" 15
  fi
  rm -f "$RUN_JAR"
  if (( code == 0 )); then
    rm -rf "$WORK"
  else
    echo "bench: logs kept in $WORK" >&2
  fi
  rm -rf "$DATA_DIR"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "bench: $*" >&2
  for log in "$WORK"/*.log; do
    [[ -s $log ]] || continue
    echo "---- last lines of $(basename "$log") ----" >&2
    tail -n 25 "$log" >&2
  done
  exit 1
}

# Waits (bounded) for a line of $WORK/<name>.log matching the regex and sets HIT to it.
# Returns 1 on timeout, 2 if the process exited first. (Not meant for $(...): a trap waits for a subshell.)
await_line() {
  local name=$1 regex=$2 pid=$3 timeout_s=$4 deadline
  deadline=$(( $(now_ms) + timeout_s * 1000 ))
  HIT=""
  while true; do
    HIT=$(grep -m1 -E "$regex" "$WORK/$name.log" 2>/dev/null)
    [[ -n $HIT ]] && return 0
    alive "$pid" || return 2
    (( $(now_ms) >= deadline )) && return 1
    nap 0.2
  done
}

await_ready() {
  local name=$1 regex=$2 pid=$3
  await_line "$name" "$regex" "$pid" "$READY_TIMEOUT_S"
  case $? in
    1) fail "$name (pid $pid) was not ready within ${READY_TIMEOUT_S} s" ;;
    2) fail "$name (pid $pid) exited before it was ready" ;;
  esac
}

members() {
  local list
  list=$(for p in $(seq "$1" $(( $1 + $2 - 1 ))); do printf '127.0.0.1:%s,' "$p"; done)
  echo "${list%,}"
}

# Starts a server JVM with cwd $WORK (so the jar's bundled config and cluster.xml are used, never a working
# tree's), stdout+stderr into $WORK/<name>.log; sets STARTED_PID.
start_jvm() {
  local name=$1
  shift
  (cd "$WORK" && exec "$@" >"$WORK/$name.log" 2>&1) &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

cp "$JAR" "$RUN_JAR" || fail "cannot copy $JAR"
java -jar "$RUN_JAR" --help >/dev/null 2>&1 || fail "$JAR does not run (is a build writing it right now?)"
mkdir -p "$WORK/classes"
javac --release 17 -nowarn -cp "$RUN_JAR" -d "$WORK/classes" bench/java/BareHello.java bench/java/BareForward.java \
  >"$WORK/javac.log" 2>&1 || fail "bench/java does not compile against the jar: $(grep -m3 error "$WORK/javac.log")"
for p in $(seq "$CLUSTER_PORT" $(( CLUSTER_PORT + 7 ))) $(seq "$FORWARD_PORT" $(( FORWARD_PORT + 3 ))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench: warning: port $p is already in use; Hazelcast will skip it" >&2
  fi
done

# A clean environment for microshop: inherited MICROSHOP_* variables would change what is measured.
UNSET=()
for name in $(compgen -e | grep '^MICROSHOP_' || true); do
  UNSET+=(-u "$name")
done
MS_ENV=("${UNSET[@]}"
  MICROSHOP_DEV=true  # single services on the embedded database, as beside up
  MICROSHOP_DATA_DIR="$DATA_DIR"
  MICROSHOP_CLUSTER_NAME="bench-catalog-$$"
  MICROSHOP_CLUSTER_PORT="$CLUSTER_PORT"
  MICROSHOP_CLUSTER_MEMBERS="$(members "$CLUSTER_PORT" 8)"
  MICROSHOP_GATEWAY_HTTP_PORT=0
  MICROSHOP_GATEWAY_RATE_LIMIT_ANONYMOUS_PER_MINUTE=1000000000
  "${OVERRIDES[@]}")

echo "microshop catalog read benchmark (issue 3)"
echo "  jar:       $JAR ($(du -m "$JAR" | cut -f1) MB, built $(date -r "$JAR" '+%Y-%m-%d %H:%M:%S'); run from a copy)"
echo "  commit:    $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- verticles launcher/src/main 2>/dev/null || echo ' (working tree differs from it)')"
echo "  java:      $(java -version 2>&1 | head -n1)"
echo "  host:      $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  server JVM options: ${SERVER_JVM_OPTS[*]:-(none: JVM defaults)}"
echo "  microshop overrides: MICROSHOP_GATEWAY_RATE_LIMIT_ANONYMOUS_PER_MINUTE=1000000000 ${OVERRIDES[*]}"
(( ${#UNSET[@]} > 0 )) && echo "  ignored inherited: $(compgen -e | grep '^MICROSHOP_' | tr '\n' ' ')"
echo

# ---- start -------------------------------------------------------------------------------------------------
T0=$(now_ms)
# The inventory JVM starts the embedded PostgreSQL (dev mode: demo catalog seeded at first start).
start_jvm inventory env "${MS_ENV[@]}" java "${SERVER_JVM_OPTS[@]}" -jar "$RUN_JAR" inventory
INVENTORY_PID=$STARTED_PID
FWD_MEMBERS=$(members "$FORWARD_PORT" 4)
start_jvm forward-back java "${SERVER_JVM_OPTS[@]}" "${OPENS[@]}" -cp "$CP" BareForward back "bench-forward-$$" \
  "$FORWARD_PORT" "$FWD_MEMBERS"
BACK_PID=$STARTED_PID
start_jvm hello java "${SERVER_JVM_OPTS[@]}" "${OPENS[@]}" -cp "$CP" BareHello "$HELLO_INSTANCES"
HELLO_PID=$STARTED_PID
await_ready inventory '^MICROSHOP-READY ' "$INVENTORY_PID"
await_ready forward-back '^BENCH-READY ' "$BACK_PID"
await_ready hello '^BENCH-READY ' "$HELLO_PID"
HELLO_URL=$(grep -m1 -oE 'http://[0-9.]+:[0-9]+' <<<"$HIT")

start_jvm gateway env "${MS_ENV[@]}" java "${SERVER_JVM_OPTS[@]}" -jar "$RUN_JAR" gateway
GATEWAY_PID=$STARTED_PID
start_jvm forward-front java "${SERVER_JVM_OPTS[@]}" "${OPENS[@]}" -cp "$CP" BareForward front "bench-forward-$$" \
  "$FORWARD_PORT" "$FWD_MEMBERS" "$FORWARD_INSTANCES"
FRONT_PID=$STARTED_PID
await_ready gateway '^MICROSHOP-READY ' "$GATEWAY_PID"
GATEWAY_URL=$(grep -oE '"gateway":"http://[^"]+"' <<<"$HIT" | cut -d'"' -f4)
[[ -n $GATEWAY_URL ]] || fail "no gateway endpoint in its ready line: $HIT"
await_ready forward-front '^BENCH-READY ' "$FRONT_PID"
FORWARD_URL=$(grep -m1 -oE 'http://[0-9.]+:[0-9]+' <<<"$HIT")
PG_PID=$(postmaster_pid)
[[ -n $PG_PID ]] && alive "$PG_PID" || fail "no running PostgreSQL in $DATA_DIR/pg"
echo "started in $(( ($(now_ms) - T0) / 1000 )) s: inventory pid $INVENTORY_PID, gateway pid $GATEWAY_PID," \
  "PostgreSQL pid $PG_PID; forward back/front pids $BACK_PID/$FRONT_PID; hello pid $HELLO_PID"

# ---- what is read ------------------------------------------------------------------------------------------
PAGE=$(curl -s --max-time 5 "$GATEWAY_URL/v1/products?limit=1")
PRODUCT_ID=$(grep -m1 -oE '"id":"[0-9a-f-]{36}"' <<<"$PAGE" | cut -d'"' -f4)
[[ -n $PRODUCT_ID ]] || fail "no product in GET /v1/products?limit=1: ${PAGE:0:300}"
for check in "catalog $GATEWAY_URL/v1/products/$PRODUCT_ID" "forward $FORWARD_URL/fwd/$PRODUCT_ID" \
    "hello $HELLO_URL/hello"; do
  url=${check#* }
  out=$(curl -s -o "$WORK/body" -w '%{http_code} %{size_download}' --max-time 5 "$url")
  [[ ${out%% *} == 200 ]] || fail "${check%% *}: GET $url answered ${out%% *}: $(head -c 300 "$WORK/body")"
  printf '  %-8s GET %s -> 200, %s body bytes\n' "${check%% *}" "${url#http://}" "${out#* }"
done
echo "  catalog body: $(curl -s --max-time 5 "$GATEWAY_URL/v1/products/$PRODUCT_ID" | head -c 160)..."
echo

# ---- load --------------------------------------------------------------------------------------------------
case $READ in
  product) CATALOG_PATH=/v1/products/$PRODUCT_ID ;;
  list) CATALOG_PATH='/v1/products?limit=10' ;;
  *) fail "READ is product or list, not '$READ'" ;;
esac
echo "catalog read: GET $CATALOG_PATH ($(curl -s --max-time 5 "$GATEWAY_URL$CATALOG_PATH" | wc -c) body bytes)"
TARGETS=("hello|$HELLO_URL|/hello" "forward|$FORWARD_URL|/fwd/$PRODUCT_ID" "catalog|$GATEWAY_URL|$CATALOG_PATH")
IFS=, read -r -a LEVEL_LIST <<<"$CONNECTIONS"
MOST=$(printf '%s\n' "${LEVEL_LIST[@]}" | sort -n | tail -n1)

# One `load browse` of a target: its JSON result in $WORK/<label>.json; a row on stdout and in $WORK/runs. In the
# background so that Ctrl-C reaches the trap at once. Exit code 1 (some errors) still leaves a result.
measure() {
  local round=$1 spec=$2 connections=$3 warmup=$4 duration=$5 name url path label code
  IFS='|' read -r name url path <<<"$spec"
  label="$round-$name-$connections"
  java -jar "$RUN_JAR" load browse --gateway "$url" --path "$path" --concurrency "$connections" \
    --warmup "${warmup}s" --duration "${duration}s" --json >"$WORK/$label.json" 2>"$WORK/$label.err" &
  LOADGEN_PID=$!
  wait "$LOADGEN_PID"
  code=$?
  LOADGEN_PID=""
  if (( code > 1 )) || ! jq -e .series "$WORK/$label.json" >/dev/null 2>&1; then
    fail "load of $name at $connections connections failed with exit code $code: $(tail -n 3 "$WORK/$label.err")"
  fi
  jq -r --arg round "$round" --arg name "$name" --arg c "$connections" '
    .series.browse as $s | [ $round, $name, $c, ($s.perSecond | round), $s.latencyMs.p50, $s.latencyMs.p90,
      $s.latencyMs.p99, $s.latencyMs.max, $s.errors + $s.rateLimited ] | @tsv' "$WORK/$label.json" |
    tee -a "$WORK/runs" |
    awk -F'\t' '{ printf "%-6s %-8s %5s %9s %9.2f %9.2f %9.2f %9.2f %7s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
}

: >"$WORK/runs"
echo "load: $ROUNDS round(s); per target and connection count ${WARMUP_S} s warm-up, ${MEASURE_S} s measured;" \
  "closed loop, HTTP/1.1 keep-alive, one request in flight per connection"
printf '%-6s %-8s %5s %9s %9s %9s %9s %9s %7s\n' round target conns "req/s" "p50 ms" "p90 ms" "p99 ms" "max ms" errors
if (( PREWARM_S > 0 )); then
  # JIT warm-up: a JVM with as much code as a microshop service compiles for a minute or more under load.
  for spec in "${TARGETS[@]}"; do
    measure warm "$spec" "$MOST" 0 "$PREWARM_S" >/dev/null
  done
  : >"$WORK/runs"
fi
for (( round = 1; round <= ROUNDS; round++ )); do
  for connections in "${LEVEL_LIST[@]}"; do
    for (( i = 0; i < ${#TARGETS[@]}; i++ )); do
      # Rotated per round, so no target always runs right after the same neighbour.
      measure "$round" "${TARGETS[(i + round - 1) % ${#TARGETS[@]}]}" "$connections" "$WARMUP_S" "$MEASURE_S"
    done
  done
done
echo
# The goals of issues 3 and 18: a product read at 0.60x the bare forward, a list page at 0.40x.
GOAL=$([[ $READ == list ]] && echo 0.40 || echo 0.60)
echo "median over rounds of req/s (p99 ms); catalog / forward and catalog / hello of the median req/s (goal:"
echo "catalog >= ${GOAL}x the bare forward at every connection count)"
awk -F'\t' -v goal="$GOAL" '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { rps[$2, $3] = rps[$2, $3] " " $4; p99[$2, $3] = p99[$2, $3] " " $7; conns[$3] = 1 }
  END {
    met = 1
    for (c in conns) {
      h = median(rps["hello", c]); f = median(rps["forward", c]); k = median(rps["catalog", c])
      ratio = f > 0 ? k / f : 0
      if (ratio < goal) met = 0
      printf "  %4s conns: hello %.0f (%.1f)  forward %.0f (%.1f)  catalog %.0f (%.1f)   catalog/forward %.2fx  catalog/hello %.2fx\n",
        c, h, median(p99["hello", c]), f, median(p99["forward", c]), k, median(p99["catalog", c]), ratio, (h > 0 ? k / h : 0)
    }
    print "goal catalog/forward >= " goal ": " (met ? "MET" : "NOT MET")
  }' "$WORK/runs"
for pid in "${PIDS[@]}"; do
  alive "$pid" || fail "server pid $pid died during the run"
done
