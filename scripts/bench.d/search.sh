#!/usr/bin/env bash
# summary: search p95 over 100,000 documents, the index's share of a scrape's store work, export MB/s and RSS
# Usage: scripts/bench search [N]   (default N=100000 documents)
# Builds two stores of N synthetic documents through the deduplicator with a commit every 2,000
# documents (as a scrape commits), one with the search index updated at every commit and one
# without: the difference is the index's cost, as a share of the store side of a scrape (a real
# scrape also fetches and converts, so its share there is smaller). Then times 500 queries
# in-process, and `alcor export --format jsonl` on one core over the N-document store and over one
# of N/10 documents (memory must stay flat).
set -euo pipefail
n=${1:-100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/alcor-bench-search.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --build build --target bench_search alcor >/dev/null

field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

echo "building stores of $n documents (without and with the search index) ..." >&2
plain=$(taskset -c 0 ./build/bench_search build --store "$work/plain" --docs "$n" --no-index)
indexed=$(taskset -c 0 ./build/bench_search build --store "$work/indexed" --docs "$n")
small=$(taskset -c 0 ./build/bench_search build --store "$work/small" --docs "$((n / 10))" --no-index)
queries=$(./build/bench_search query --store "$work/indexed" --queries 500)

export_run() {  # export_run STORE NAME -> "seconds rss_kb"
  /usr/bin/time -f "%e %M" -o "$work/$2.time" taskset -c 0 ./build/alcor --quiet --store "$1" export \
    --out "$work/$2-out" --format jsonl 2>/dev/null
  cat "$work/$2.time"
}
read -r big_secs big_rss < <(export_run "$work/plain" big)
read -r small_secs small_rss < <(export_run "$work/small" small)
bytes=$(field "$plain" jsonl_bytes)
small_bytes=$(field "$small" jsonl_bytes)

echo "search benchmark: $n documents, $bytes bytes of JSONL, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
python3 - "$plain" "$indexed" "$queries" "$bytes" "$big_secs" "$big_rss" "$small_bytes" "$small_secs" "$small_rss" <<'PY'
import json, sys
plain, indexed, q = (json.loads(a) for a in sys.argv[1:4])
b, bs, br, sb, ss, sr = (float(a) for a in sys.argv[4:10])
over = indexed["seconds"] / plain["seconds"] - 1
print(f"store side of a scrape, {plain['docs']} docs: {plain['seconds']:.1f} s without the index, "
      f"{indexed['seconds']:.1f} s with it: +{over * 100:.1f}% (limit 20% of a scrape's wall time)")
print(f"search, {q['queries']} queries over {q['documents']} documents: p50 {q['p50_ms']:.1f} ms, "
      f"p95 {q['p95_ms']:.1f} ms (limit 50), max {q['max_ms']:.1f} ms, {q['mean_hits']:.1f} hits on average: "
      + ("PASS" if q["p95_ms"] <= 50 else "FAIL"))
print(f"export --format jsonl, 1 core: {b / bs / 1e6:.0f} MB/s over {b / 1e6:.0f} MB "
      f"(limit >= 100): " + ("PASS" if b / bs / 1e6 >= 100 else "FAIL") +
      f"; peak RSS {br / 1024:.1f} MiB, and {sr / 1024:.1f} MiB over {sb / 1e6:.0f} MB")
PY
