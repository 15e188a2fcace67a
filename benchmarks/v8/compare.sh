#!/usr/bin/env bash
# Runs the same proxy-wasm workload on node's V8 (benchmarks/v8/host.mjs) and on the JVM host
# through the embedder API (V8CompareBenchmark), one after the other, and prints per plugin the
# microseconds per request and the ratio host / V8.
#   benchmarks/v8/compare.sh [seconds per measurement, default 5]
# Run from anywhere; builds benchmarks/target/benchmarks.jar first (SKIP_BUILD=1: use the one
# there). Needs node 20.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-5}
cd "$root"
command -v node > /dev/null || { echo "compare.sh: node is not installed" >&2; exit 1; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
fi
plugins=(c-http-headers.wasm as-http-headers.wasm)
declare -A v8
for p in "${plugins[@]}"; do
  root_id=""
  [[ $p == as-* ]] && root_id=http_headers
  v8[$p]=$(node benchmarks/v8/host.mjs "plugins/wasm/$p" "$root_id" "$seconds" | awk '{print $2}')
done
json=$(mktemp)
log=$(mktemp)
trap 'rm -f "$json" "$log"' EXIT
java -jar benchmarks/target/benchmarks.jar V8CompareBenchmark -wi 3 -w 1 -i 5 -r "$seconds" \
  -rf json -rff "$json" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
printf '%-22s %-18s %12s %12s %10s\n' plugin runtime "host µs" "V8 µs" "host÷V8"
node -e '
const results = JSON.parse(require("fs").readFileSync(process.argv[1]));
const v8 = JSON.parse(process.argv[2]);
for (const r of results) {
  const p = r.params.plugin, us = r.primaryMetric.score, err = r.primaryMetric.scoreError;
  const line = [p.padEnd(22), r.params.runtime.padEnd(18),
    (us.toFixed(2) + " ±" + err.toFixed(2)).padStart(12), v8[p].toFixed(2).padStart(12),
    (us / v8[p]).toFixed(2).padStart(10)];
  console.log(line.join(" "));
}' "$json" "$(for p in "${plugins[@]}"; do printf '"%s":%s,' "$p" "${v8[$p]}"; done | sed 's/^/{/; s/,$/}/')"
