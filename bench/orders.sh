#!/usr/bin/env bash
# End-to-end order throughput and latency on the `up` topology (issue 4): one JVM per service, the embedded
# PostgreSQL, everything through the gateway. The load is `java -jar launcher.jar load order` in closed loop: per
# concurrency level, that many customers each place POST /v1/orders and wait for the order to be CONFIRMED or
# CANCELLED, then place the next. Per level it prints confirmed orders/s, p50/p99 of POST -> final state, POST
# p50/p99 and the outbox lag of every service (sampled each second through GET /v1/admin/outbox/{service}), then
# the ratio to the target (>= 500 confirmed/s with p99 < 150 ms at 32 clients). Each level's full result (JSON, as
# `load --json` prints it) and progress lines are kept in the work directory when the run fails.
# Builds nothing: run `./mvnw -B -q -DskipTests package` first.
#
# Usage: bench/orders.sh [MICROSHOP_NAME=value ...]    (setting overrides for the microshop JVMs, for A/B runs)
# Environment: LEVELS (16,32,64), PREWARM_S (60: unreported JIT warm-up at 32 clients; six JVMs on two cores compile for about a minute), WARMUP_S (10), MEASURE_S (20), MODE (poll: GET /v1/orders/{id} every POLL_MS;
#   sse: the customer's notification stream, one outbox hop later), POLL_MS (5), PRODUCTS (1: every order takes
#   one unit of one of PRODUCTS products at random; 1 makes its stock row the hot spot of a flash sale).
#
# Like bench/footprint.sh it runs a copy of the jar taken at start, in a throwaway data directory, with its own
# Hazelcast cluster name and ports (5901..5908) and a free gateway port; every wait is bounded and every process
# it started is stopped on exit, also on failure or Ctrl-C. Rate limits are raised to 10^8 per minute.
set -u -o pipefail

UP_TIMEOUT_S=180
STOP_TIMEOUT_S=30
CLUSTER_PORT=5901
SERVICES=(users inventory orders payments notifications gateway)
LEVELS=${LEVELS:-16,32,64}
WARMUP_S=${WARMUP_S:-10}
MEASURE_S=${MEASURE_S:-20}
PREWARM_S=${PREWARM_S:-60}
MODE=${MODE:-poll}
POLL_MS=${POLL_MS:-5}
PRODUCTS=${PRODUCTS:-1}

cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
JAR=${BENCH_JAR:-launcher/target/launcher.jar}  # BENCH_JAR: another build, for A/B runs
if [[ ! -f $JAR ]]; then
  echo "bench: $JAR is missing; build it first: ./mvnw -B -q -DskipTests package" >&2
  exit 1
fi
for tool in java jq curl ps mkfifo; do
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
UP_PID=""
EXTRA_PID=""
LOADGEN_PID=""
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
  [[ -n $LOADGEN_PID ]] && stop_pid "$LOADGEN_PID" 5
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
  MICROSHOP_DATA_DIR="$DATA_DIR"
  MICROSHOP_GATEWAY_HTTP_PORT="$GATEWAY_PORT"
  MICROSHOP_CLUSTER_NAME="bench-$$"
  MICROSHOP_CLUSTER_PORT="$CLUSTER_PORT"
  MICROSHOP_CLUSTER_MEMBERS="$MEMBERS"
  MICROSHOP_GATEWAY_RATE_LIMIT_USER_PER_MINUTE=100000000
  MICROSHOP_GATEWAY_RATE_LIMIT_ANONYMOUS_PER_MINUTE=100000000
  "${OVERRIDES[@]}")

# Starts `java -jar launcher.jar <args>` (cwd $WORK, so the jar's bundled config is used, never a working tree's)
# with stdout timestamped into $WORK/<name>.log and stderr into $WORK/<name>.err; sets STARTED_PID.
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
  (cd "$WORK" && exec env "${RUN_ENV[@]}" java -jar "$RUN_JAR" "$@" >"$WORK/$name.fifo" 2>"$WORK/$name.err") &
  STARTED_PID=$!
}

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

echo "microshop orders end-to-end benchmark (issue 4)"
echo "  jar:      $JAR ($(du -m "$JAR" | cut -f1) MB, built $(date -r "$JAR" '+%Y-%m-%d %H:%M:%S'); run from a copy)"
echo "  commit:   $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- verticles launcher/src/main 2>/dev/null || echo ' (working tree differs from it)')"
echo "  java:     $(java -version 2>&1 | head -n1)"
echo "  host:     $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  load:     prewarm ${PREWARM_S} s at 32, levels $LEVELS, warm-up ${WARMUP_S} s + measured ${MEASURE_S} s each, products $PRODUCTS, completion by $MODE$( [[ $MODE == poll ]] && echo " every ${POLL_MS} ms")"
echo "  overrides: rate limits 10^8/min ${OVERRIDES[*]}"
(( ${#UNSET[@]} > 0 )) && echo "  ignored inherited: $(compgen -e | grep '^MICROSHOP_' | tr '\n' ' ')"

T0=$(now_ms)
start_launcher up up
UP_PID=$STARTED_PID
await_line up 'microshop is up in ' "$UP_PID" "$UP_TIMEOUT_S"
case $? in
  1) fail "'up' was not up within ${UP_TIMEOUT_S} s" ;;
  2) fail "'up' (pid $UP_PID) exited before it was up" ;;
esac
await_line up '  gateway: ' "$UP_PID" 10 || fail "no gateway line in the table after 'microshop is up'"
declare -A PID_OF
while read -r name pid; do
  PID_OF[$name]=$pid
done < <(awk '{ sub(/^-?[0-9]+ /, "") } /^microshop is up in / { t = 1; next } t && /^  [a-z]+ +[0-9]+( |$)/ { print $1, $2 }' "$WORK/up.log")
GATEWAY_URL=$(grep -m1 -oE '  gateway: http://[0-9.]+:[0-9]+' "$WORK/up.log" | awk '{ print $2 }')
GATEWAY_URL=${GATEWAY_URL:-http://127.0.0.1:$GATEWAY_PORT}
PIDS_ARG=""
for s in "${SERVICES[@]}" postgres; do
  [[ -n ${PID_OF[$s]:-} ]] || fail "no pid for $s in the table"
  KNOWN_PIDS+=("${PID_OF[$s]}")
  PIDS_ARG+="$s=${PID_OF[$s]},"
done
echo "  up in $(( ($(now_ms) - T0) / 1000 )) s; gateway $GATEWAY_URL; pids ${PIDS_ARG%,}"
echo

# One `load order` run; its JSON result in $WORK/$1.json, its progress lines in $WORK/$1.err. In the background
# so that Ctrl-C reaches the trap at once. Exit code 1 (some errors) still leaves a result; 2 or none does not.
run_load() {
  local name=$1
  shift
  java -jar "$RUN_JAR" load order --gateway "$GATEWAY_URL" --data-dir "$DATA_DIR" --products "$PRODUCTS" \
    --customer-prefix bench --follow "$MODE" --poll-ms "$POLL_MS" --pids "${PIDS_ARG%,}" --json "$@" \
    >"$WORK/$name.json" 2>"$WORK/$name.err" &
  LOADGEN_PID=$!
  wait "$LOADGEN_PID"
  local code=$?
  LOADGEN_PID=""
  if (( code > 1 )) || ! jq -e .series "$WORK/$name.json" >/dev/null 2>&1; then
    fail "load ($name) failed with exit code $code: $(tail -n 3 "$WORK/$name.err")"
  fi
}

# A table row of one level from its JSON result.
row() {
  jq -r --arg c "$1" '
    def ms(s; p): .series[s].latencyMs[p] | round;
    [ $c, (.orders.confirmedPerSecond * 10 | round / 10), .orders.cancelled, .errors, .rateLimited,
      ms("order_final"; "p50"), ms("order_final"; "p99"), ms("order_final"; "max"),
      ms("order_POST"; "p50"), ms("order_POST"; "p99"),
      ([.outbox // {} | to_entries[] | "\(.value.maxLagSeconds * 100 | round / 100)/\(.value.meanLagSeconds * 100 | round / 100) (\(.value.maxPending))"] | join(" | ")) ]
    | @tsv' "$WORK/$2.json" |
    awk -F'\t' '{ printf "%-4s %11s %6s %6s %5s %9s %9s %9s %9s %9s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }'
}

if (( PREWARM_S > 0 )); then
  echo "prewarm: ${PREWARM_S} s at 32 clients (JIT warm-up, not reported)"
  run_load prewarm --concurrency 32 --warmup 0 --duration "${PREWARM_S}s"
fi
printf '%-4s %11s %6s %6s %5s %9s %9s %9s %9s %9s  %s\n' c confirmed/s cancl errors 429s "p50 ms" "p99 ms" "max ms" \
  "POST p50" "POST p99" "outbox lag max/avg s (max pending) orders | inventory | payments | notifications"
IFS=, read -r -a LEVEL_LIST <<<"$LEVELS"
for c in "${LEVEL_LIST[@]}"; do
  run_load "c$c" --concurrency "$c" --warmup "${WARMUP_S}s" --duration "${MEASURE_S}s"
  row "$c" "c$c"
  echo "     cores: $(jq -r '[.cores // {} | to_entries[] | "\(.key) \(.value * 100 | round / 100)"] | join(" ")' "$WORK/c$c.json")"
  errors=$(jq -r '[.series[] | .errorKinds | to_entries[] | "\(.key): \(.value)"] | join("; ")' "$WORK/c$c.json")
  [[ -n $errors ]] && echo "     errors: $errors"
done
for s in "${SERVICES[@]}"; do
  alive "${PID_OF[$s]}" || fail "$s (pid ${PID_OF[$s]}) died during the run"
done
if [[ -f $WORK/c32.json ]]; then
  echo
  jq -r '.orders.confirmedPerSecond as $r | .series.order_final.latencyMs.p99 as $p |
    "target at c=32: >= 500 confirmed/s with p99 < 150 ms\n  measured \($r * 10 | round / 10) confirmed/s = \($r / 500 * 100 | round / 100)x the target rate; p99 \($p | round) ms = \($p / 150 * 100 | round / 100)x the p99 budget (\(if $r >= 500 and $p < 150 then "MET" else "NOT MET" end))"' \
    "$WORK/c32.json"
fi
echo
echo "Latency is POST sent -> final state seen by the client (polling adds up to POLL_MS plus one GET); confirmed/s"
echo "counts orders placed inside the measured window that ended CONFIRMED. 429s: requests the rate limits refused."
echo "Outbox lag: age of the oldest undelivered row, sampled each second; pending: undelivered rows. cores: CPU"
echo "during the window of each process with its descendants, of the load command, of all other processes, of the host."

kill -TERM "$UP_PID"
await_exit "$UP_PID" "$STOP_TIMEOUT_S" || echo "bench: 'up' still running after ${STOP_TIMEOUT_S} s (cleanup kills it)" >&2
