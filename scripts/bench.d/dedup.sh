#!/usr/bin/env bash
# summary: deduplicator: 200k synthetic docs with planted duplicates (MB/s and docs/s per core, index bytes/doc, precision/recall); 1M-doc index open time and resident bytes/doc
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${ALCOR_BENCH_BUILD:-build}
docs=${DEDUP_BENCH_DOCS:-200000}
index_docs=${DEDUP_BENCH_INDEX_DOCS:-1000000}
seed=${DEDUP_BENCH_SEED:-1}
log=$(mktemp)
cmake --build "$build" --target dedup_corpus_gen >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
rm -f "$log"
gen="$build/dedup_corpus_gen"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== $docs synthetic documents through the Deduplicator into a fresh store (keep-first policy, seed $seed)"
echo "   (throughput counts only the time spent inside the Deduplicator, in thread CPU seconds: 'per core')"
/usr/bin/time -f "peak RSS %M KiB, wall %e s" "$gen" bench --docs "$docs" --seed "$seed" --store "$tmp/store"
echo "store on disk: $(du -sh "$tmp/store" | cut -f1)"
rm -rf "$tmp/store"

echo
echo "== index of $index_docs documents: build and save, then open in a fresh process"
"$gen" index-build --docs "$index_docs" --out "$tmp/index"
echo "index file: $(du -h "$tmp/index" | cut -f1)"
"$gen" index-open "$tmp/index"
"$gen" index-open "$tmp/index"
