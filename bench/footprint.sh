#!/usr/bin/env bash
# Startup time and memory footprint of `java -jar launcher.jar up`, plus the time for one extra service JVM to
# join the running cluster. Builds nothing: run `./mvnw -B -q -DskipTests package` first.
#
# It runs in its own throwaway data directory, on a free gateway port, with its own Hazelcast cluster name and
# ports (5801..5808), so it never joins or disturbs a developer's running microshop. Every wait is bounded and
# every process it started is stopped on exit, also on failure or Ctrl-C.
#
# It runs a copy of the jar taken at start: a JVM loads classes lazily from its jar, and a `mvn package` that
# rewrites launcher/target/launcher.jar mid-run makes running JVMs fail with NoClassDefFoundError.
#
# CDS=0 runs without the class-data archive the build makes beside the jar (see ClassDataSharing).
#
# LOAD_S=60 runs `load mixed` (8 clients, orders and catalog reads) for that long before memory is measured: a
# JVM's footprint after load, with its worker pools and caches grown, not just after start.
#
# RSS counts shared pages in every process that maps them (PostgreSQL's shared buffers in each backend, the
# JDK's class data sharing archive in each JVM), so the RSS total overstates the real footprint; the PSS
# column splits shared pages between their users and adds up honestly.
set -u -o pipefail

UP_TIMEOUT_S=180
WARMUP_S=20
WARMUP_REQUESTS=200
LOAD_S=${LOAD_S:-0}  # seconds of `load mixed` (8 clients) after the warm-up, so memory is measured after load
EXTRA_READY_TIMEOUT_S=120
STOP_TIMEOUT_S=30
CLUSTER_PORT=5801
SERVICES=(users inventory orders payments notifications gateway)

cd "$(dirname "$0")/.." || exit 1
JAR=${BENCH_JAR:-launcher/target/launcher.jar}  # BENCH_JAR: another build, for A/B runs
if [[ ! -f $JAR ]]; then
  echo "bench: $JAR is missing; build it first: ./mvnw -B -q -DskipTests package" >&2
  exit 1
fi
for tool in java curl ps mkfifo; do
  command -v "$tool" >/dev/null || { echo "bench: '$tool' is not on PATH" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/microshop-bench.XXXXXX")
DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/microshop-bench-data.XXXXXX")
RUN_JAR=$WORK/launcher.jar
UP_PID=""
EXTRA_PID=""
READERS=()
KNOWN_PIDS=()

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

children_of() { ps --ppid "$1" -o pid= 2>/dev/null | tr -d ' '; }

postmaster_pid() { head -n1 "$DATA_DIR/pg/postmaster.pid" 2>/dev/null | tr -d ' '; }

# Bounded (about 75 s at worst) and deaf to further Ctrl-C, so it always finishes.
cleanup() {
  local code=$?
  trap '' INT TERM
  trap - EXIT
  local leftovers=("${KNOWN_PIDS[@]}") pid pg
  for pid in $EXTRA_PID $UP_PID; do
    leftovers+=($(children_of "$pid"))
  done
  [[ -n $EXTRA_PID ]] && stop_pid "$EXTRA_PID" 20
  [[ -n $UP_PID ]] && stop_pid "$UP_PID" "$STOP_TIMEOUT_S"
  # Only needed when `up` died or was killed: its JVMs then stop by themselves, its database does not.
  pg=$(postmaster_pid)
  [[ -n $pg ]] && leftovers+=("$pg")
  local still=()
  for pid in "${leftovers[@]}"; do
    if alive "$pid"; then
      still+=("$pid")
      kill -TERM "$pid" 2>/dev/null
    fi
  done
  if (( ${#still[@]} > 0 )); then
    echo "bench: stopping leftover pids ${still[*]}" >&2
    local deadline=$(( $(now_ms) + 15000 ))
    for pid in "${still[@]}"; do
      while alive "$pid" && (( $(now_ms) < deadline )); do
        sleep 0.1
      done
      alive "$pid" && kill -KILL "$pid" 2>/dev/null
    done
  fi
  for pid in "${READERS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  rm -f "$RUN_JAR" "$WORK/launcher.jsa"
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
  for log in "$WORK"/*.log "$WORK"/*.err; do
    [[ -s $log ]] || continue
    echo "---- last lines of $(basename "$log") ----" >&2
    tail -n 25 "$log" >&2
  done
  exit 1
}

# A free TCP port on 127.0.0.1: nothing answers a connect to it.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

cp "$JAR" "$RUN_JAR" || fail "cannot copy $JAR"
java -jar "$RUN_JAR" --help >/dev/null 2>&1 || fail "$JAR does not run (is a build writing it right now?)"
# When the build made a class-data archive beside the jar, the copy gets one of its own (an archive is
# accepted only for the jar at the path it was made from), so up's JVMs share classes as they would from
# launcher/target; CDS=0 measures without.
if [[ -f ${JAR%.jar}.jsa && ${CDS:-1} == 1 ]]; then
  java -jar "$RUN_JAR" cds "$WORK/launcher.jsa" "$PWD" >"$WORK/cds.log" 2>&1 || fail "no class-data archive for the copy (see $WORK/cds.log)"
  echo "  class-data archive: $(tail -1 "$WORK/cds.log")"
fi
GATEWAY_PORT=$(free_port) || fail "no free port found for the gateway"
MEMBERS=$(for p in $(seq "$CLUSTER_PORT" $((CLUSTER_PORT + 7))); do printf '127.0.0.1:%s,' "$p"; done)
MEMBERS=${MEMBERS%,}
for p in $(seq "$CLUSTER_PORT" $((CLUSTER_PORT + 7))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench: warning: port $p is already in use; Hazelcast will skip it" >&2
  fi
done

# A clean environment: inherited MICROSHOP_* variables would change what is measured.
UNSET=()
for name in $(compgen -e | grep '^MICROSHOP_' || true); do
  UNSET+=(-u "$name")
done
RUN_ENV=("${UNSET[@]}"
  MICROSHOP_DEV=true  # the extra orders JVM joins up's dev installation
  # Any free management port: the extra orders JVM would otherwise want orders' fixed one, which up's holds.
  MICROSHOP_MANAGEMENT_PORT=0
  # The warm-up is GET /v1/status: each one a fresh report with its pings, as before the limit and the cache.
  MICROSHOP_GATEWAY_RATE_LIMIT_STATUS_PER_MINUTE=100000000
  MICROSHOP_GATEWAY_STATUS_CACHE_MS=1
  # LOAD_S's clients all come from 127.0.0.1: the edge's per-address and per-user limits are not measured here.
  MICROSHOP_GATEWAY_RATE_LIMIT_ANONYMOUS_PER_MINUTE=100000000
  MICROSHOP_GATEWAY_RATE_LIMIT_USER_PER_MINUTE=100000000
  MICROSHOP_DATA_DIR="$DATA_DIR"
  MICROSHOP_GATEWAY_HTTP_PORT="$GATEWAY_PORT"
  MICROSHOP_CLUSTER_NAME="bench-$$"
  MICROSHOP_CLUSTER_PORT="$CLUSTER_PORT"
  MICROSHOP_CLUSTER_MEMBERS="$MEMBERS")

# Starts `java -jar launcher.jar <args>` with its stdout timestamped line by line (ms since $T0) into
# $WORK/<name>.log and stderr into $WORK/<name>.err; sets STARTED_PID to the java process.
start_launcher() {
  local name=$1
  shift
  mkfifo "$WORK/$name.fifo"
  (
    while IFS= read -r line; do
      printf '%d %s\n' $(( ${EPOCHREALTIME/./} / 1000 - T0 )) "$line"
    done <"$WORK/$name.fifo" >"$WORK/$name.log"
  ) &
  READERS+=($!)
  env "${RUN_ENV[@]}" java -jar "$RUN_JAR" "$@" >"$WORK/$name.fifo" 2>"$WORK/$name.err" &
  STARTED_PID=$!
}

# Waits (bounded) for a stdout line of $WORK/<name>.log matching the regex and sets HIT to that stamped line.
# Returns 1 on timeout, 2 if the process exited first. (Not meant for $(...): a trap waits for a subshell.)
await_line() {
  local name=$1 regex=$2 pid=$3 timeout_s=$4 deadline
  deadline=$(( $(now_ms) + timeout_s * 1000 ))
  HIT=""
  while true; do
    HIT=$(grep -m1 -E "^-?[0-9]+ $regex" "$WORK/$name.log" 2>/dev/null)
    [[ -n $HIT ]] && return 0
    alive "$pid" || return 2
    (( $(now_ms) >= deadline )) && return 1
    nap 0.1
  done
}

rss_kb() { awk '/^VmRSS:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }
pss_kb() { awk '/^Pss:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

echo "microshop footprint benchmark"
echo "  jar:      $JAR ($(du -m "$JAR" | cut -f1) MB, built $(date -r "$JAR" '+%Y-%m-%d %H:%M:%S'); run from a copy)"
echo "  java:     $(java -version 2>&1 | head -n1)"
echo "  host:     $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  data dir: $DATA_DIR"
echo "  gateway:  127.0.0.1:$GATEWAY_PORT, cluster bench-$$ on $CLUSTER_PORT..$((CLUSTER_PORT + 7))"
(( ${#UNSET[@]} > 0 )) && echo "  ignored inherited: $(compgen -e | grep '^MICROSHOP_' | tr '\n' ' ')"
echo

# ---- up ----------------------------------------------------------------------------------------------------
T0=$(now_ms)
start_launcher up up
UP_PID=$STARTED_PID
await_line up 'microshop is up in ' "$UP_PID" "$UP_TIMEOUT_S"
case $? in
  1) fail "'up' was not up within ${UP_TIMEOUT_S} s" ;;
  2) fail "'up' (pid $UP_PID) exited before it was up" ;;
esac
UP_LINE=$HIT
UP_MS=${UP_LINE%% *}
await_line up '  postgres +[0-9]+ ' "$UP_PID" 10 || fail "no postgres line in the table after 'microshop is up'"
nap 0.3  # the rest of the table (gateway line) arrives in the same write

declare -A PID_OF READY_MS
while read -r kind a b; do
  case $kind in
    ROW) PID_OF[$a]=$b ;;
    READY) [[ -z ${READY_MS[$a]:-} ]] && READY_MS[$a]=$b ;;
    GW) GATEWAY_URL=$a ;;
    PG) PG_READY_MS=$a ;;
  esac
done < <(awk '
  { ms = $1; sub(/^-?[0-9]+ /, "") }
  /^microshop: PostgreSQL ready/ { print "PG", ms }
  /^microshop: [a-z]+ ready \(pid [0-9]+[,)]/ { print "READY", $2, ms }
  /^microshop is up in / { table = 1; next }
  table && /^  [a-z]+ +[0-9]+( |$)/ { print "ROW", $1, $2 }
  table && /^  gateway: / { print "GW", $2 }
' "$WORK/up.log")
GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:$GATEWAY_PORT}
PG_PID=${PID_OF[postgres]:-}
[[ -n $PG_PID ]] || fail "no postgres pid in the table"
for s in "${SERVICES[@]}"; do
  [[ -n ${PID_OF[$s]:-} ]] || fail "no pid for $s in the table"
  KNOWN_PIDS+=("${PID_OF[$s]}")
done
KNOWN_PIDS+=("$PG_PID")

echo "'up' (pid $UP_PID): 'microshop is up' after $(secs "$UP_MS") s ($(sed -E 's/^-?[0-9]+ //' <<<"$UP_LINE" | tr -d '\n'))"
echo "gateway: $GATEWAY_URL"
echo

# ---- warm-up -----------------------------------------------------------------------------------------------
WARM_START=$(now_ms)
declare -A CODES
TIMES=()
for (( i = 1; i <= WARMUP_REQUESTS; i++ )); do
  (( $(now_ms) - WARM_START > (WARMUP_S + 10) * 1000 )) && break
  result=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 2 "$GATEWAY_URL/v1/status")
  code=${result%% *}
  CODES[$code]=$(( ${CODES[$code]:-0} + 1 ))
  TIMES+=("${result#* }")
  pause=$(( WARM_START + i * WARMUP_S * 1000 / WARMUP_REQUESTS - $(now_ms) ))
  (( pause > 0 )) && nap "$(awk -v ms="$pause" 'BEGIN { printf "%.3f", ms / 1000 }')"
done
SENT=$(( i - 1 ))
left=$(( WARM_START + WARMUP_S * 1000 - $(now_ms) ))
(( left > 0 )) && nap "$(awk -v ms="$left" 'BEGIN { printf "%.3f", ms / 1000 }')"
codes=""
for c in "${!CODES[@]}"; do codes+="$c x${CODES[$c]} "; done
LAST=$(printf '%s\n' "${TIMES[@]: -100}" | sort -n | awk '{ t[NR] = $1 } END { printf "p50 %.1f ms, max %.1f ms", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000 }')
echo "warm-up: $SENT GET /v1/status in $(secs $(( $(now_ms) - WARM_START ))) s: HTTP ${codes% }; last 100: $LAST"
echo "  status body: $(curl -s --max-time 2 "$GATEWAY_URL/v1/status" | head -c 160)..."
echo
if (( LOAD_S > 0 )); then
  env "${RUN_ENV[@]}" java -jar "$RUN_JAR" load mixed --gateway "$GATEWAY_URL" --concurrency 8 --duration "${LOAD_S}s" \
    --warmup 2s --data-dir "$DATA_DIR" --products 4 --follow poll --json >"$WORK/load.json" 2>"$WORK/load.err"
  echo "load: mixed, 8 clients, ${LOAD_S} s: $(jq -c '{requests, errors, orders: .orders.confirmed}' "$WORK/load.json" 2>/dev/null)"
  echo
fi

# ---- memory ------------------------------------------------------------------------------------------------
PG_PIDS=("$PG_PID" $(children_of "$PG_PID"))
printf '%-22s %8s %10s %10s\n' "process" "pid" "RSS MiB" "PSS MiB"
TOTAL_RSS=0
TOTAL_PSS=0
row() {
  printf '%-22s %8s %10s %10s\n' "$1" "$2" "$(mib "$3")" "$(mib "$4")"
  TOTAL_RSS=$(( TOTAL_RSS + $3 ))
  TOTAL_PSS=$(( TOTAL_PSS + $4 ))
}
JVM_RSS=0
for s in "${SERVICES[@]}"; do
  pid=${PID_OF[$s]}
  r=$(rss_kb "$pid")
  JVM_RSS=$(( JVM_RSS + r ))
  row "$s (JVM)" "$pid" "$r" "$(pss_kb "$pid")"
done
row "launcher 'up' (JVM)" "$UP_PID" "$(rss_kb "$UP_PID")" "$(pss_kb "$UP_PID")"
PG_RSS=0
PG_PSS=0
for pid in "${PG_PIDS[@]}"; do
  PG_RSS=$(( PG_RSS + $(rss_kb "$pid") ))
  PG_PSS=$(( PG_PSS + $(pss_kb "$pid") ))
done
row "postgres (${#PG_PIDS[@]} processes)" "$PG_PID" "$PG_RSS" "$PG_PSS"
printf '%-22s %8s %10s %10s\n' "total" "" "$(mib "$TOTAL_RSS")" "$(mib "$TOTAL_PSS")"
echo "(6 service JVMs: $(mib "$JVM_RSS") MiB RSS, $(mib $(( JVM_RSS / 6 ))) MiB each on average)"
echo

# ---- time to ready -----------------------------------------------------------------------------------------
echo "time to ready, from the launch of 'up' (arrival of 'microshop: <service> ready'):"
printf '  %-14s %8s s\n' "PostgreSQL" "$(secs "${PG_READY_MS:-0}")"
for s in "${SERVICES[@]}"; do
  printf '  %-14s %8s s\n' "$s" "$( [[ -n ${READY_MS[$s]:-} ]] && secs "${READY_MS[$s]}" || echo '?')"
done
printf '  %-14s %8s s\n' "all (table)" "$(secs "$UP_MS")"
echo

# ---- one extra service JVM ---------------------------------------------------------------------------------
T0=$(now_ms)
start_launcher extra orders
EXTRA_PID=$STARTED_PID
await_line extra 'MICROSHOP-READY ' "$EXTRA_PID" "$EXTRA_READY_TIMEOUT_S"
case $? in
  1) fail "the extra orders JVM was not ready within ${EXTRA_READY_TIMEOUT_S} s" ;;
  2) fail "the extra orders JVM (pid $EXTRA_PID) exited before it was ready" ;;
esac
EXTRA_MS=${HIT%% *}
echo "extra 'orders' JVM (pid $EXTRA_PID) joined the running cluster and was ready in $(secs "$EXTRA_MS") s;" \
  "RSS at ready $(mib "$(rss_kb "$EXTRA_PID")") MiB (plain 'java -jar': default JVM flags, not up.jvmOptions)"
JOIN_TO_READY=$(grep -oE '"clusterJoinedToReadyMs":[0-9]+' <<<"$HIT" | cut -d: -f2)
JVM_TO_READY=$(grep -oE '"jvmStartToReadyMs":[0-9]+' <<<"$HIT" | cut -d: -f2)
echo "  of which: JVM start to ready $(secs "${JVM_TO_READY:-0}") s; cluster joined to ready" \
  "$(secs "${JOIN_TO_READY:-0}") s (migrations, pool, consumers, discovery; target <= 3 s)"
# Instances are an admin's view of the status: log in as the dev admin.
ADMIN_LOGIN=$(printf '{"email":"admin@microshop.local","password":"%s"}' "$(cat "$DATA_DIR/secrets/admin-password" 2>/dev/null)")
ADMIN_TOKEN=$(curl -s --max-time 5 -H 'Content-Type: application/json' -d "$ADMIN_LOGIN" "$GATEWAY_URL/v1/auth/token" \
  | grep -oE '"accessToken":"[^"]+"' | cut -d'"' -f4)
# Each instance object carries "service" then "ping" (StatusReport adds them in that order after the metadata).
INSTANCES=$(curl -s --max-time 3 -H "Authorization: Bearer $ADMIN_TOKEN" "$GATEWAY_URL/v1/status" \
  | grep -oE '"service":"orders",[^{}]*"ping":"ok"' | wc -l)
echo "  gateway /v1/status now sees $INSTANCES orders instances answering pings"
STOP_START=$(now_ms)
kill -TERM "$EXTRA_PID"
if await_exit "$EXTRA_PID" "$STOP_TIMEOUT_S"; then
  wait "$EXTRA_PID"
  echo "  SIGTERM: exited with code $? in $(secs $(( $(now_ms) - STOP_START ))) s"
else
  echo "  SIGTERM: still running after ${STOP_TIMEOUT_S} s (cleanup will kill it)"
fi
echo

# ---- stop --------------------------------------------------------------------------------------------------
STOP_START=$(now_ms)
kill -TERM "$UP_PID"
if await_exit "$UP_PID" "$STOP_TIMEOUT_S"; then
  wait "$UP_PID"
  UP_CODE=$?
  echo "'up' SIGTERM: exited with code $UP_CODE in $(secs $(( $(now_ms) - STOP_START ))) s"
else
  echo "'up' SIGTERM: still running after ${STOP_TIMEOUT_S} s (cleanup will kill it)"
  UP_CODE=timeout
fi
nap 0.5
STILL=()
for pid in "${KNOWN_PIDS[@]}" "${PG_PIDS[@]}"; do
  alive "$pid" && STILL+=("$pid")
done
if (( ${#STILL[@]} == 0 )); then
  echo "  no child left: all ${#SERVICES[@]} service JVMs and ${#PG_PIDS[@]} postgres processes are gone"
else
  echo "  STILL ALIVE after 'up' exited: ${STILL[*]} ($(ps -o pid=,comm= -p "$(IFS=,; echo "${STILL[*]}")" | tr '\n' ' '))"
fi
[[ $UP_CODE == 0 && ${#STILL[@]} == 0 ]]
