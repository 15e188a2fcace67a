#!/usr/bin/env bash
# The full run of the stress tests (StressTest; see docs/reliability.md): shared-data CAS (8
# threads × 100,000 increments), shared queues (8 producers × 50,000 items), a worker pool of 4
# under 8 threads × 20,000 requests while its plugin is reloaded every 50 requests, and the host
# closed under the same load. The build runs a hundredth of it. Prints one line per test:
#   stress | test | scale | time | result
#
# usage: benchmarks/stress/run.sh [SCALE] [RUNTIME]
#   defaults: SCALE 1 (the full run), RUNTIME chicory (chicory-compiler for the compiler)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scale=${1:-1}
runtime=${2:-chicory}
cd "$root"
start=$(date +%s)
status=0
./mvnw -B -ntp -q -pl host-default -am test-compile surefire:test@default-test \
  -Dtest=StressTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dproxywasm.test.timeout=0 -Dproxywasm.stress.scale="$scale" -Dproxywasm.test.runtime="$runtime" || status=$?
grep -h "^stress |" host-default/target/surefire-reports/io.proxywasm.host.StressTest-output.txt || true
echo "scale $scale, runtime $runtime, wall time: $(( $(date +%s) - start )) s, exit $status"
exit $status
