#!/usr/bin/env bash
# summary: HTTP client: 2,000 requests over 4 loopback hosts, 50 ms latency, concurrency 4 (target >= 85% of 320 req/s)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${ALCOR_BENCH_BUILD:-build}
log=$(mktemp)
cmake --build "$build" --target bench_http >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
rm -f "$log"
exec "$build/bench_http" --requests 2000 --hosts 4 --concurrency 4 --latency-ms 50 "$@"
