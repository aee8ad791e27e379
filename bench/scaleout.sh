#!/usr/bin/env bash
# Scale-out (issue 14): confirmed orders/s at a fixed number of closed-loop clients while one service runs in 1, 2
# and 3 JVMs. `up` starts the system (one JVM per service, the embedded PostgreSQL); extra JVMs of SCALE are then
# started with `java -jar launcher.jar $SCALE` (same flags as up's children) and join the same cluster; the event
# bus spreads the saga's commands round-robin over them. The JVM count goes up and back down (1, 2, ..., JVMS,
# JVMS, ..., 2, 1: ROUNDS=2, the default), so every count is measured twice and a drift of the host over the run
# cancels out of the ratios; it prints each measurement, then the mean per count and its ratio to 1 JVM.
#
# By default payments calls the simulated external provider (provider.enabled: each new charge waits
# PROVIDER_LATENCY_MS, at most PROVIDER_MAX_CONCURRENT calls in flight per JVM), which caps one payments JVM at
# MAX_CONCURRENT * 1000 / LATENCY_MS charges/s, well below what the rest of the system does: the case where a
# second JVM should double the rate. PROVIDER=off SCALE=inventory JVMS=2 is the CPU-bound case instead.
# The load is `java -jar launcher.jar load order --concurrency CLIENTS --follow poll`, one run per measurement.
# Builds nothing: run `./mvnw -B -q -DskipTests package -pl launcher -am` first.
#
# Usage: bench/scaleout.sh [MICROSHOP_NAME=value ...]    (setting overrides for every microshop JVM)
# Environment: SCALE (payments), JVMS (3), ROUNDS (2: up and down; 1: up only), CLIENTS (12), PROVIDER (on|off),
#   PROVIDER_LATENCY_MS (100), PROVIDER_MAX_CONCURRENT (1: 10 charges/s per JVM, a fifth of the ~48 orders/s the
#   whole system did on the shared 2-core host; see docs/benchmarks.md, "Scale-out"), PREWARM_S (60),
#   WARMUP_S (10), MEASURE_S (20),
#   PRODUCTS (20: no hot stock row), SETTLE_S (20: pause after up, while its JVMs finish starting), POLL_MS (5),
#   CLUSTER_PORT (47100; members CLUSTER_PORT..+9).
#
# Like bench/orders.sh it runs a copy of the jar in a throwaway data directory with its own cluster name, ports
# and management ports (0: any free one); every wait is bounded and every process it started is stopped on exit.
UP_TIMEOUT_S=180
STOP_TIMEOUT_S=30
EXTRA_READY_TIMEOUT_S=180
CLUSTER_PORT=${CLUSTER_PORT:-47100}
MEMBER_COUNT=10
SERVICES=(users inventory orders payments notifications gateway)
SCALE=${SCALE:-payments}
JVMS=${JVMS:-3}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-12}
PROVIDER=${PROVIDER:-on}
PROVIDER_LATENCY_MS=${PROVIDER_LATENCY_MS:-100}
PROVIDER_MAX_CONCURRENT=${PROVIDER_MAX_CONCURRENT:-1}
WARMUP_S=${WARMUP_S:-10}
MEASURE_S=${MEASURE_S:-20}
PREWARM_S=${PREWARM_S:-60}
POLL_MS=${POLL_MS:-5}
SETTLE_S=${SETTLE_S:-20}
PRODUCTS=${PRODUCTS:-20}

cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
JAR=${BENCH_JAR:-launcher/target/launcher.jar}  # BENCH_JAR: another build, for A/B runs
if [[ ! -f $JAR ]]; then
  echo "bench: $JAR is missing; build it first: ./mvnw -B -q -DskipTests package" >&2
  exit 1
fi
[[ $SCALE =~ ^(users|inventory|orders|payments|notifications)$ ]] || { echo "bench: SCALE must be a service with a database, got '$SCALE'" >&2; exit 2; }
[[ $JVMS =~ ^[2-4]$ ]] || { echo "bench: JVMS must be 2..4, got '$JVMS'" >&2; exit 2; }
[[ $ROUNDS =~ ^[12]$ ]] || { echo "bench: ROUNDS must be 1 or 2, got '$ROUNDS'" >&2; exit 2; }
[[ $PROVIDER =~ ^(on|off)$ ]] || { echo "bench: PROVIDER must be on or off, got '$PROVIDER'" >&2; exit 2; }
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
EXTRA_PIDS=()
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
  for pid in "${EXTRA_PIDS[@]}" $UP_PID; do
    leftovers+=($(children_of "$pid"))
  done
  for pid in "${EXTRA_PIDS[@]}"; do
    stop_pid "$pid" 20
  done
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
MEMBERS=$(for p in $(seq "$CLUSTER_PORT" $((CLUSTER_PORT + MEMBER_COUNT - 1))); do printf '127.0.0.1:%s,' "$p"; done)
MEMBERS=${MEMBERS%,}
for p in $(seq "$CLUSTER_PORT" $((CLUSTER_PORT + MEMBER_COUNT - 1))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench: warning: port $p is already in use; Hazelcast will skip it" >&2
  fi
done

# A clean environment: inherited MICROSHOP_* variables would change what is measured.
UNSET=()
for name in $(compgen -e | grep '^MICROSHOP_' || true); do
  UNSET+=(-u "$name")
done
PROVIDER_ENV=()
if [[ $PROVIDER == on ]]; then
  PROVIDER_ENV=(MICROSHOP_PAYMENTS_PROVIDER_ENABLED=true
    MICROSHOP_PAYMENTS_PROVIDER_LATENCY_MS="$PROVIDER_LATENCY_MS"
    MICROSHOP_PAYMENTS_PROVIDER_MAX_CONCURRENT="$PROVIDER_MAX_CONCURRENT")
fi
RUN_ENV=("${UNSET[@]}"
  MICROSHOP_DEV=true  # the extra JVMs join up's dev installation (its embedded PostgreSQL)
  MICROSHOP_MANAGEMENT_PORT=0
  "${PROVIDER_ENV[@]}"
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

# up's children run with these flags (config/common.json up.jvmOptions); the extra JVMs get the same.
JVM_OPTS=(-XX:+UseSerialGC -Xms32m -Xmx192m -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m
  -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError)

# Like start_launcher, with up's JVM flags: one more JVM of $SCALE, joined to the running cluster.
start_extra() {
  local name=$1
  mkfifo "$WORK/$name.fifo"
  (
    while IFS= read -r line; do
      printf '%d %s\n' $(( ${EPOCHREALTIME/./} / 1000 - T0 )) "$line"
    done <"$WORK/$name.fifo" >"$WORK/$name.log"
  ) &
  READERS+=($!)
  (cd "$WORK" && exec env "${RUN_ENV[@]}" java "${JVM_OPTS[@]}" -jar "$RUN_JAR" "$SCALE" >"$WORK/$name.fifo" 2>"$WORK/$name.err") &
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

CEILING=""
[[ $PROVIDER == on ]] && CEILING=$(awk -v c="$PROVIDER_MAX_CONCURRENT" -v l="$PROVIDER_LATENCY_MS" 'BEGIN { printf "%.0f", c * 1000 / l }')
echo "microshop scale-out benchmark (issue 14): $SCALE in 1..$JVMS JVMs"
echo "  jar:      $JAR ($(du -m "$JAR" | cut -f1) MB, built $(date -r "$JAR" '+%Y-%m-%d %H:%M:%S'); run from a copy)"
echo "  commit:   $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- verticles launcher/src/main 2>/dev/null || echo ' (working tree differs from it)')"
echo "  java:     $(java -version 2>&1 | head -n1)"
echo "  host:     $(nproc) cores, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $PROVIDER == on ]]; then
  echo "  provider: on, ${PROVIDER_LATENCY_MS} ms per call, ${PROVIDER_MAX_CONCURRENT} in flight per payments JVM (at most $CEILING charges/s per JVM)"
else
  echo "  provider: off"
fi
echo "  load:     $CLIENTS clients, products $PRODUCTS, prewarm ${PREWARM_S} s, warm-up ${WARMUP_S} s + measured ${MEASURE_S} s per measurement, rounds $ROUNDS"
echo "  overrides: rate limits 10^8/min ${OVERRIDES[*]}"

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
BASE_PIDS=""
for s in "${SERVICES[@]}" postgres; do
  [[ -n ${PID_OF[$s]:-} ]] || fail "no pid for $s in the table"
  KNOWN_PIDS+=("${PID_OF[$s]}")
  BASE_PIDS+="$s=${PID_OF[$s]},"
done
echo "  up in $(( ($(now_ms) - T0) / 1000 )) s; gateway $GATEWAY_URL; pids ${BASE_PIDS%,}"
echo
nap "$SETTLE_S"

# One measurement at $CLIENTS clients with the JVMs running now; appends "jvms rate" to $WORK/rates. The load
# command's set-up (products, customers) is not timed, and on a loaded host it can meet a 504: it is run again
# once, after a pause, before the script gives up. Exit code 1 (some errors) still leaves a result.
measure() {
  local jvms=$1 prewarm=$2 out="$WORK/measure-$3" attempt code row rate pids i
  pids=${BASE_PIDS%,}
  for i in "${!EXTRA_PIDS[@]}"; do
    pids+=",$SCALE#$((i + 2))=${EXTRA_PIDS[$i]}"
  done
  for attempt in 1 2; do
    if (( prewarm > 0 )); then
      java -jar "$RUN_JAR" load order --gateway "$GATEWAY_URL" --data-dir "$DATA_DIR" --concurrency "$CLIENTS" \
        --products "$PRODUCTS" --customer-prefix scaleout --follow poll --poll-ms "$POLL_MS" --warmup 0 \
        --duration "${prewarm}s" --json >"$out.prewarm.json" 2>"$out.prewarm.err" &
      LOADGEN_PID=$!
      wait "$LOADGEN_PID"
    fi
    java -jar "$RUN_JAR" load order --gateway "$GATEWAY_URL" --data-dir "$DATA_DIR" --concurrency "$CLIENTS" \
      --products "$PRODUCTS" --customer-prefix scaleout --follow poll --poll-ms "$POLL_MS" --warmup "${WARMUP_S}s" \
      --duration "${MEASURE_S}s" --pids "$pids" --json >"$out.json" 2>"$out.err" &
    LOADGEN_PID=$!
    wait "$LOADGEN_PID"
    code=$?
    LOADGEN_PID=""
    if (( code <= 1 )) && jq -e .series "$out.json" >/dev/null 2>&1; then
      break
    fi
    (( attempt == 2 )) && fail "the load command failed twice; its output: $(tail -n 5 "$out.err")"
    echo "      (the load command failed: $(tail -n 1 "$out.err" | cut -c1-160); again in 15 s)"
    nap 15
  done
  row=$(jq -r --arg c "$CLIENTS" '
    def ms(s; p): .series[s].latencyMs[p] | round;
    [ $c, (.orders.confirmedPerSecond * 10 | round / 10), .orders.cancelled, .errors, .rateLimited,
      ms("order_final"; "p50"), ms("order_final"; "p99"), ms("order_final"; "max"),
      ms("order_POST"; "p50"), ms("order_POST"; "p99"),
      ([.outbox // {} | to_entries[] | "\(.value.maxLagSeconds * 100 | round / 100)/\(.value.meanLagSeconds * 100 | round / 100) (\(.value.maxPending))"] | join(" | ")) ]
    | @tsv' "$out.json" |
    awk -F'\t' '{ printf "%-4s %10s %6s %6s %5s %9s %9s %9s %9s %9s  %s", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }')
  rate=$(jq -r '.orders.confirmedPerSecond' "$out.json")
  echo "$jvms $rate" >>"$WORK/rates"
  printf '%-5s %s\n' "$jvms" "$row"
  printf '      cores: %s\n' "$(jq -r '[.cores // {} | to_entries[] | "\(.key) \(.value * 100 | round / 100)"] | join(" ")' "$out.json")"
}

add_jvm() {
  local n=$(( ${#EXTRA_PIDS[@]} + 2 )) t=$(now_ms)
  start_extra "$SCALE-$n"
  EXTRA_PIDS+=("$STARTED_PID")
  await_line "$SCALE-$n" 'MICROSHOP-READY ' "$STARTED_PID" "$EXTRA_READY_TIMEOUT_S"
  case $? in
    1) fail "$SCALE JVM #$n was not ready within ${EXTRA_READY_TIMEOUT_S} s" ;;
    2) fail "$SCALE JVM #$n (pid $STARTED_PID) exited before it was ready" ;;
  esac
  echo "      ($SCALE JVM #$n, pid $STARTED_PID, joined and ready in $(( ($(now_ms) - t) / 1000 )) s)"
}

# SIGTERM: the JVM drains its consumers and leaves the cluster; the next measurement starts after it is gone.
remove_jvm() {
  local last=$(( ${#EXTRA_PIDS[@]} - 1 )) pid
  pid=${EXTRA_PIDS[$last]}
  stop_pid "$pid" 30
  unset "EXTRA_PIDS[$last]"
  EXTRA_PIDS=("${EXTRA_PIDS[@]}")
  echo "      ($SCALE JVM #$(( last + 2 )), pid $pid, stopped)"
  nap 5  # the cluster forgets its consumers
}

: >"$WORK/rates"
head_row=$(printf '%-5s %-4s %10s %6s %6s %5s %9s %9s %9s %9s %9s' jvms c confirmed/s cancl errors 429s "p50 ms" "p99 ms" "max ms" "POST p50" "POST p99")
echo "$head_row   outbox lag max/avg s (max pending) orders | inventory | payments | notifications"
step=0
measure 1 "$PREWARM_S" $((step += 1))
for n in $(seq 2 "$JVMS"); do
  add_jvm
  measure "$n" 0 $((step += 1))
done
if (( ROUNDS == 2 )); then
  measure "$JVMS" 0 $((step += 1))
  for n in $(seq $((JVMS - 1)) -1 1); do
    remove_jvm
    measure "$n" 0 $((step += 1))
  done
fi
for pid in "${SERVICES[@]}"; do
  alive "${PID_OF[$pid]}" || fail "$pid (pid ${PID_OF[$pid]}) died during the run"
done

echo
echo "$SCALE JVMs  confirmed/s (each measurement)  mean     vs 1 JVM"
awk -v scale="$SCALE" -v ceiling="$CEILING" '
  { n = $1; runs[n] = runs[n] sprintf(" %6.1f", $2); sum[n] += $2; cnt[n]++; if (n > max) max = n }
  END {
    base = sum[1] / cnt[1]
    for (n = 1; n <= max; n++) {
      mean = sum[n] / cnt[n]
      line = sprintf("%-11d %-30s %7.1f   %.2fx", n, runs[n], mean, base > 0 ? mean / base : 0)
      if (ceiling != "") line = line sprintf("   (provider ceiling %d/s)", n * ceiling)
      print line
    }
  }' "$WORK/rates"
echo
echo "confirmed/s counts orders placed inside the measured window that ended CONFIRMED; latency is POST sent ->"
echo "final state seen by polling. 429s: requests the rate limits refused. cores: CPU of each process during the"
echo "window (host = all processes, other engineers' work included)."

kill -TERM "$UP_PID"
await_exit "$UP_PID" "$STOP_TIMEOUT_S" || echo "bench: 'up' still running after ${STOP_TIMEOUT_S} s (cleanup kills it)" >&2
