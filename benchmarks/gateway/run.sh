#!/usr/bin/env bash
# Throughput and latency of the gateway against the same upstream reached directly, through nginx,
# through the gateway without a plugin and through the gateway with plugins/wasm/c-http-headers.wasm.
# Needs wrk and nginx (Debian: apt-get install wrk nginx-light). Writes results/<date>.txt here.
#
#   benchmarks/gateway/run.sh                 # 10 s per case, 2 wrk threads, 32 connections
#   DURATION=30s CONNECTIONS=64 CONCURRENCY=2 benchmarks/gateway/run.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/benchmarks/gateway"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
CONCURRENCY="${CONCURRENCY:-1}"
UP_PORT=18081
NGINX_PORT=18082
GW_PORT=18083
GW_PLUGIN_PORT=18084
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx-light)" >&2; exit 1; }

echo "building the gateway and its class path..."
(cd "$ROOT" && ./mvnw -B -ntp -q -pl gateway -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime)
CP="$ROOT/gateway/target/classes:$(cat "$WORK/cp.txt")"

# The upstream (a fixed 13-byte answer) and nginx as a proxy in front of it, one worker each.
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
error_log $WORK/nginx/logs/error.log warn;
pid $WORK/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backend { server 127.0.0.1:$UP_PORT; keepalive 64; }
  server { listen 127.0.0.1:$UP_PORT; location / { return 200 "Hello, World\n"; } }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)

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
JAVA_OPTS=(-Xmx512m -XX:-DontCompileHugeMethods)
java "${JAVA_OPTS[@]}" -cp "$CP" io.proxywasm.gateway.Main -c "$WORK/no-plugin.yaml" \
  --concurrency "$CONCURRENCY" > "$WORK/gw1.log" 2>&1 &
PIDS+=($!)
java "${JAVA_OPTS[@]}" -cp "$CP" io.proxywasm.gateway.Main \
  --plugin "$ROOT/plugins/wasm/c-http-headers.wasm" --upstream "http://127.0.0.1:$UP_PORT" \
  --listen "127.0.0.1:$GW_PLUGIN_PORT" --concurrency "$CONCURRENCY" > "$WORK/gw2.log" 2>&1 &
PIDS+=($!)

wait_for() {
  for _ in $(seq 1 120); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.5
  done
  echo "nothing answers on port $1" >&2
  cat "$WORK"/gw*.log >&2
  exit 1
}
for p in $UP_PORT $NGINX_PORT $GW_PORT $GW_PLUGIN_PORT; do wait_for "$p"; done

mkdir -p "$HERE/results"
OUT="$HERE/results/$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  echo "# gateway benchmark, $(date -u), $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; gateway --concurrency $CONCURRENCY; java $(java -version 2>&1 | head -1)"
} > "$OUT"
run_case() {
  local name="$1" port="$2"
  # warm-up (JIT), then the measured run
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "http://127.0.0.1:$port/" > /dev/null
  echo "## $name (port $port)" >> "$OUT"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/" >> "$OUT"
}
run_case "upstream direct (nginx return 200)" $UP_PORT
run_case "nginx proxy_pass" $NGINX_PORT
run_case "gateway, no plugin" $GW_PORT
run_case "gateway, c-http-headers.wasm" $GW_PLUGIN_PORT
echo "results: $OUT"
grep -E "^## |Requests/sec|^ +50%|^ +99%" "$OUT"
