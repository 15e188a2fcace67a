#!/usr/bin/env bash
# Throughput and latency of the gateway against the same upstream reached directly, through nginx,
# through the gateway without a plugin and through the gateway with a plugin (the C http-headers
# plugin, its Java twin on the Null VM, the AssemblyScript one), at several connection counts; then
# the C plugin while it is reloaded every second. Needs wrk and nginx (Debian: apt-get install wrk
# nginx-light). Writes results/<date>.txt and results/<date>.csv here; chart.py draws the CSV.
#
#   benchmarks/gateway/run.sh                     # 30 s per case at 1, 16 and 64 connections
#   ROUNDS=2 DURATION=5s CONNECTIONS="16" benchmarks/gateway/run.sh
#   CONCURRENCY=1 benchmarks/gateway/run.sh       # one nginx worker, one event loop
#
# Each case's time is cut in ROUNDS slices of DURATION, and the slices of the cases at one
# connection count take turns (round 1 of every case, then round 2, ...): on a shared 2-core
# machine the load of the moment drifts over minutes, and a case measured in one block of 30 s
# carries that drift into its ratio to the case measured before it. A case's figures are its
# slices together: requests/s = all its requests ÷ all its seconds, CPU per request likewise,
# latency percentiles the median of its slices'.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/benchmarks/gateway"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}" # per slice: each case runs ROUNDS × DURATION
WARMUP="${WARMUP:-30s}" # once per proxy, before any case: the JVM's JIT compiles for 20 s and more
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-1 16 64}"
# nginx's proxy workers and the gateways' event loops: by default one per processor, as both run
# when not told otherwise (nginx's worker_processes auto, proxy-wasm serve's --concurrency);
# CONCURRENCY=1 is the stricter setting where the one event loop is the bottleneck
CONCURRENCY="${CONCURRENCY:-$(nproc)}"
UP_PORT=18081
NGINX_PORT=18082
GW_PORT=18083
GW_PLUGIN_PORT=18084
GW_JAVA_PORT=18085
GW_AS_PORT=18086
GW_ADMIN_PORT=18087
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx-light)" >&2; exit 1; }

echo "building the proxy-wasm command..."
(cd "$ROOT" && ./mvnw -B -ntp -q -pl cli -am package -DskipTests)
# Every gateway runs as users run it: the proxy-wasm command (its JVM flags, the example Java
# plugins for the java:http-headers case), with a heap of 512 MiB
export PROXY_WASM_JAVA_OPTS="-Xmx512m"

# The upstream (a fixed 13-byte answer) and nginx as a proxy in front of it, each its own nginx
# process with one worker: every proxy measured here (nginx, the gateway) is a process of its own
# between wrk and the upstream's process. (Until 2026-12-02 the upstream was a second server block
# in the proxying nginx's own worker, which spared nginx the hop to another process that the
# gateway pays: docs/performance.md shows both.)
nginx_instance() {
  local name="$1" workers="$2" servers="$3"
  mkdir -p "$WORK/$name/logs"
  cat > "$WORK/$name/nginx.conf" <<NGINX
worker_processes $workers;
daemon off;
error_log $WORK/$name/logs/error.log warn;
pid $WORK/$name/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
$servers
}
NGINX
  nginx -p "$WORK/$name" -c "$WORK/$name/nginx.conf" &
  PIDS+=($!)
  MASTER[$name]=$!
}
declare -A MASTER PID_OF
nginx_instance upstream 1 \
  "  server { listen 127.0.0.1:$UP_PORT; location / { return 200 \"Hello, World\\n\"; } }"
nginx_instance proxy "$CONCURRENCY" "  upstream backend { server 127.0.0.1:$UP_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"

# The gateway without a plugin: Envoy YAML with the router alone.
cat > "$WORK/no-plugin.yaml" <<YAML
static_resources:
  listeners:
    - name: main
      address: { socket_address: { address: 127.0.0.1, port_value: $GW_PORT } }
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: ingress_http
                route_config:
                  virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes: [ { match: { prefix: "/" }, route: { cluster: up } } ]
                http_filters:
                  - name: envoy.filters.http.router
  clusters:
    - name: up
      type: STATIC
      load_assignment:
        cluster_name: up
        endpoints:
          - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $UP_PORT } } }
YAML
"$ROOT/proxy-wasm" serve -c "$WORK/no-plugin.yaml" \
  --concurrency "$CONCURRENCY" > "$WORK/gw1.log" 2>&1 &
PIDS+=($!)
PID_OF[$GW_PORT]=$!
# The gateway with a plugin: the C one (with an admin listener, for the reload run), its Java
# twin, the AssemblyScript one.
serve_plugin() {
  local plugin="$1" port="$2" log="$3"
  shift 3
  "$ROOT/proxy-wasm" serve --plugin "$plugin" \
    --upstream "http://127.0.0.1:$UP_PORT" --listen "127.0.0.1:$port" \
    --concurrency "$CONCURRENCY" "$@" > "$WORK/$log" 2>&1 &
  PIDS+=($!)
  PID_OF[$port]=$!
}
serve_plugin "$ROOT/plugins/wasm/c-http-headers.wasm" $GW_PLUGIN_PORT gw2.log \
  --admin "127.0.0.1:$GW_ADMIN_PORT"
serve_plugin "java:http-headers" $GW_JAVA_PORT gw3.log
serve_plugin "$ROOT/plugins/wasm/as-http-headers.wasm" $GW_AS_PORT gw4.log --root-id http_headers \
  --plugin-config "{}" # the AssemblyScript SDK traps on an empty configuration (plugins/README.md)

wait_for() {
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.5
  done
  echo "nothing answers on port $1" >&2
  cat "$WORK"/gw*.log >&2
  exit 1
}
for p in $UP_PORT $NGINX_PORT $GW_PORT $GW_PLUGIN_PORT $GW_JAVA_PORT $GW_AS_PORT; do
  wait_for "$p"
done
# the processes that serve each port: nginx's workers, or the gateway's JVM
PID_OF[$UP_PORT]="$(pgrep -P "${MASTER[upstream]}" | tr '\n' ' ')"
PID_OF[$NGINX_PORT]="$(pgrep -P "${MASTER[proxy]}" | tr '\n' ' ')"
# CPU time (user + system, every thread) the processes used so far, in clock ticks
cpu_ticks() {
  local p t=0
  for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
  echo "$t"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

mkdir -p "$HERE/results"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$HERE/results/$STAMP.txt"
CSV="$HERE/results/$STAMP.csv"
{
  echo "# gateway benchmark, $(date -u), $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# wrk -t$THREADS -c{$CONNECTIONS} -d$DURATION --latency, $ROUNDS slices per case taking turns, after $WARMUP at 16 connections per server; proxy-wasm serve --concurrency $CONCURRENCY, PROXY_WASM_JAVA_OPTS=$PROXY_WASM_JAVA_OPTS, JVM flags: $(tr '\0' ' ' < "/proc/${PID_OF[$GW_PORT]}/cmdline" | grep -o -- '-XX:[^ ]*' | tr '\n' ' ')java $(java -version 2>&1 | head -1)"
} > "$OUT"
echo "case,connections,requests_per_s,p50_ms,p99_ms,errors,non_2xx,cpu_us_per_request,rounds_requests_per_s" > "$CSV"

# wrk prints latencies as 1.23ms, 456.00us or 1.02s: in milliseconds
ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
    else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 }
    else print v }'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# what the slices of each case (name|connections) added up to so far
declare -A REQUESTS SECS TICKS ERRORS NON2XX P50S P99S RATES
# one slice of a case
run_slice() {
  local name="$1" port="$2" conns="$3" threads="$THREADS" result key="$1|$3"
  [ "$conns" -lt "$threads" ] && threads="$conns"
  # wrk's own connections opened and the proxy's to the upstream in use before the clock starts
  wrk -t"$threads" -c"$conns" -d2s "http://127.0.0.1:$port/" > /dev/null
  local pid="${PID_OF[$port]}" before after
  # shellcheck disable=SC2086 # nginx's workers: several PIDs
  before="$(cpu_ticks $pid)"
  result="$(wrk -t"$threads" -c"$conns" -d"$DURATION" --latency "http://127.0.0.1:$port/")"
  # shellcheck disable=SC2086
  after="$(cpu_ticks $pid)"
  { echo "## $name, $conns connections (port $port)"; echo "$result"; } >> "$OUT"
  local requests seconds errors non2xx
  requests="$(echo "$result" | awk '/requests in/ { print $1 }')"
  seconds="$(echo "$result" | awk '/requests in/ { sub(/s,$/, "", $4); print $4 }')"
  errors="$(echo "$result" | awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }')"
  non2xx="$(echo "$result" | awk '/Non-2xx/ { print $5 }')"
  REQUESTS[$key]=$((${REQUESTS[$key]:-0} + requests))
  SECS[$key]="$(awk -v a="${SECS[$key]:-0}" -v b="$seconds" 'BEGIN { print a + b }')"
  TICKS[$key]=$((${TICKS[$key]:-0} + after - before))
  ERRORS[$key]=$((${ERRORS[$key]:-0} + ${errors:-0}))
  NON2XX[$key]=$((${NON2XX[$key]:-0} + ${non2xx:-0}))
  P50S[$key]="${P50S[$key]:-} $(ms "$(echo "$result" | awk '$1 == "50%" { print $2 }')")"
  P99S[$key]="${P99S[$key]:-} $(ms "$(echo "$result" | awk '$1 == "99%" { print $2 }')")"
  RATES[$key]="${RATES[$key]:-} $(echo "$result" | awk '/^Requests\/sec/ { print $2 }')"
}
# a case's row: its slices together
write_case() {
  local key="$1|$2"
  # the CPU the process serving the port spent per request: less sensitive than requests/s to
  # which process the scheduler let wait
  echo "$1,$2,$(awk -v n="${REQUESTS[$key]}" -v s="${SECS[$key]}" 'BEGIN { printf "%.2f", n / s }'),$(echo "${P50S[$key]}" | median),$(echo "${P99S[$key]}" | median),${ERRORS[$key]},${NON2XX[$key]},$(awk -v t="${TICKS[$key]}" -v us="$TICK_US" -v n="${REQUESTS[$key]}" 'BEGIN { printf "%.1f", t * us / n }'),${RATES[$key]# }" >> "$CSV"
}
# Every server once under load before anything is measured: a fresh JVM goes on compiling for 20
# to 30 s of load (the gateway's JIT threads used 0.55 as much CPU as its event loop in the second
# 10 s at 64 connections, 0.04 in the third), which a short warm-up per case does not cover.
for p in $UP_PORT $NGINX_PORT $GW_PORT $GW_PLUGIN_PORT $GW_JAVA_PORT $GW_AS_PORT; do
  wrk -t"$THREADS" -c16 -d"$WARMUP" "http://127.0.0.1:$p/" > /dev/null
done
CASES=("upstream direct|$UP_PORT" "nginx proxy_pass|$NGINX_PORT" "gateway (no plugin)|$GW_PORT"
  "gateway + C plugin|$GW_PLUGIN_PORT" "gateway + Java plugin|$GW_JAVA_PORT"
  "gateway + AssemblyScript plugin|$GW_AS_PORT")
for c in $CONNECTIONS; do
  for _ in $(seq 1 "$ROUNDS"); do
    for case in "${CASES[@]}"; do run_slice "${case%|*}" "${case##*|}" "$c"; done
  done
  for case in "${CASES[@]}"; do write_case "${case%|*}" "$c"; done
done

# The C plugin reloaded every second while wrk runs: every answer must still be a 2xx.
LAST="${CONNECTIONS##* }"
(
  # every slice's warm-up, then its measured run
  end=$(($(date +%s) + ROUNDS * (${DURATION%s} + 2) + 1))
  n=0
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null -X POST "http://127.0.0.1:$GW_ADMIN_PORT/reload" && n=$((n + 1))
    sleep 1
  done
  echo "$n" > "$WORK/reloads"
) &
RELOADER=$!
for _ in $(seq 1 "$ROUNDS"); do
  run_slice "gateway + C plugin reloaded every second" $GW_PLUGIN_PORT "$LAST"
done
wait "$RELOADER"
write_case "gateway + C plugin reloaded every second" "$LAST"
echo "# reloads during the last case: $(cat "$WORK/reloads")" >> "$OUT"

# The issue's targets, from the rows above; the per-round ratios (slices of the same round ran
# within a minute of each other) show how far the load of the moment moved them.
targets() {
  local c
  for c in $CONNECTIONS; do
    awk -v c="$c" -F, '
      $2 == c { rps[$1] = $3; rounds[$1] = $9; bad += $6 + $7 }
      END {
        np = "gateway (no plugin)"; cp = "gateway + C plugin"; ng = "nginx proxy_pass"
        n = split(rounds[np], a, " "); split(rounds[cp], b, " "); split(rounds[ng], g, " ")
        for (i = 1; i <= n; i++) { r1 = r1 sprintf(" %.2f", a[i] / g[i]); r2 = r2 sprintf(" %.0f%%", 100 * (1 - b[i] / a[i])) }
        printf "%s connections: no plugin / nginx %.2f (target >= 0.7; rounds%s), C plugin cost %.1f%% (target <= 15%%; rounds%s), errors and non-2xx %d\n",
          c, rps[np] / rps[ng], r1, 100 * (1 - rps[cp] / rps[np]), r2, bad
      }' "$CSV"
  done
  echo "reloaded every second: $(awk -F, '/reloaded/ { print $6 + $7 }' "$CSV") errors and non-2xx, $(cat "$WORK/reloads") reloads"
}
targets | tee -a "$OUT"
echo "results: $OUT and $CSV"
column -s, -t < "$CSV"
