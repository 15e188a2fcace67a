#!/usr/bin/env bash
# Throughput and latency of the gateway against the same upstream reached directly, through nginx,
# through the gateway without a plugin and through the gateway with a plugin (the C http-headers
# plugin, its Java twin on the Null VM, the AssemblyScript one), at several connection counts; then
# the C plugin while it is reloaded every second. Needs wrk and nginx (Debian: apt-get install wrk
# nginx-light). Writes results/<date>.txt and results/<date>.csv here; chart.py draws the CSV.
#
#   benchmarks/gateway/run.sh                     # 30 s per case at 1, 16 and 64 connections
#   DURATION=10s CONNECTIONS="16" benchmarks/gateway/run.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/benchmarks/gateway"
DURATION="${DURATION:-30s}"
WARMUP="${WARMUP:-30s}" # once per proxy, before any case: the JVM's JIT compiles for 20 s and more
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-1 16 64}"
CONCURRENCY="${CONCURRENCY:-1}" # nginx's proxy workers and the gateways' event loops
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
  echo "# wrk -t$THREADS -c{$CONNECTIONS} -d$DURATION --latency after $WARMUP at 16 connections per server; proxy-wasm serve --concurrency $CONCURRENCY, PROXY_WASM_JAVA_OPTS=$PROXY_WASM_JAVA_OPTS, JVM flags: $(tr '\0' ' ' < "/proc/${PID_OF[$GW_PORT]}/cmdline" | grep -o -- '-XX:[^ ]*' | tr '\n' ' ')java $(java -version 2>&1 | head -1)"
} > "$OUT"
echo "case,connections,requests_per_s,p50_ms,p99_ms,errors,non_2xx,cpu_us_per_request" > "$CSV"

# wrk prints latencies as 1.23ms, 456.00us or 1.02s: in milliseconds
ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
    else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 }
    else print v }'
}
run_case() {
  local name="$1" port="$2" conns="$3" threads="$THREADS" result
  [ "$conns" -lt "$threads" ] && threads="$conns"
  # warm-up (JIT), then the measured run
  wrk -t"$threads" -c"$conns" -d5s "http://127.0.0.1:$port/" > /dev/null
  local pid="${PID_OF[$port]}" before after
  # shellcheck disable=SC2086 # nginx's workers: several PIDs
  before="$(cpu_ticks $pid)"
  result="$(wrk -t"$threads" -c"$conns" -d"$DURATION" --latency "http://127.0.0.1:$port/")"
  # shellcheck disable=SC2086
  after="$(cpu_ticks $pid)"
  { echo "## $name, $conns connections (port $port)"; echo "$result"; } >> "$OUT"
  local rps p50 p99 errors non2xx
  rps="$(echo "$result" | awk '/^Requests\/sec/ { print $2 }')"
  p50="$(ms "$(echo "$result" | awk '$1 == "50%" { print $2 }')")"
  p99="$(ms "$(echo "$result" | awk '$1 == "99%" { print $2 }')")"
  errors="$(echo "$result" | awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }')"
  non2xx="$(echo "$result" | awk '/Non-2xx/ { print $5 }')"
  # the CPU the process serving the port spent per request: less sensitive than requests/s to
  # which process the scheduler let wait
  local requests cpu
  requests="$(echo "$result" | awk '/requests in/ { print $1 }')"
  cpu="$(awk -v t=$((after - before)) -v us="$TICK_US" -v n="$requests" 'BEGIN { printf "%.1f", t * us / n }')"
  echo "$name,$conns,$rps,$p50,$p99,${errors:-0},${non2xx:-0},$cpu" >> "$CSV"
}
# Every server once under load before anything is measured: a fresh JVM goes on compiling for 20
# to 30 s of load (the gateway's JIT threads used 0.55 as much CPU as its event loop in the second
# 10 s at 64 connections, 0.04 in the third), which a 5 s warm-up per case does not cover.
for p in $UP_PORT $NGINX_PORT $GW_PORT $GW_PLUGIN_PORT $GW_JAVA_PORT $GW_AS_PORT; do
  wrk -t"$THREADS" -c16 -d"$WARMUP" "http://127.0.0.1:$p/" > /dev/null
done
for c in $CONNECTIONS; do
  run_case "upstream direct" $UP_PORT "$c"
  run_case "nginx proxy_pass" $NGINX_PORT "$c"
  run_case "gateway (no plugin)" $GW_PORT "$c"
  run_case "gateway + C plugin" $GW_PLUGIN_PORT "$c"
  run_case "gateway + Java plugin" $GW_JAVA_PORT "$c"
  run_case "gateway + AssemblyScript plugin" $GW_AS_PORT "$c"
done

# The C plugin reloaded every second while wrk runs: every answer must still be a 2xx.
LAST="${CONNECTIONS##* }"
(
  end=$(($(date +%s) + ${DURATION%s} + 5)) # the warm-up, then the measured run
  n=0
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null -X POST "http://127.0.0.1:$GW_ADMIN_PORT/reload" && n=$((n + 1))
    sleep 1
  done
  echo "$n" > "$WORK/reloads"
) &
RELOADER=$!
run_case "gateway + C plugin reloaded every second" $GW_PLUGIN_PORT "$LAST"
wait "$RELOADER"
echo "# reloads during the last case: $(cat "$WORK/reloads")" >> "$OUT"

echo "results: $OUT and $CSV"
column -s, -t < "$CSV"
echo "reloads during the last case: $(cat "$WORK/reloads")"
