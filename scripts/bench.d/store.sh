# summary: write then validate >= 1 GB of records beside zstd -3 / zstd -d; MB/s and peak RSS
# Usage: scripts/bench store [BYTES]   (default 1000000000 bytes of JSONL)
set -euo pipefail
bytes=${1:-1000000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/alcor-bench-store.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --build build --target bench_store alcor >/dev/null

# Wall seconds and peak RSS (KiB) of a command, via GNU time.
measure() {  # measure NAME CMD...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null
  read -r secs rss < "$work/$name.time"
  eval "${name}_secs=$secs ${name}_rss=$rss"
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / s / 1e6 : 0) }'; }

echo "generating $bytes bytes of JSONL records ..."
./build/bench_store generate --bytes "$bytes" --out "$work/records.jsonl" >/dev/null
jsonl=$(stat -c %s "$work/records.jsonl")
cat "$work/records.jsonl" >/dev/null   # warm the page cache for zstd's read

measure zstd_c zstd -3 -q -f -T1 "$work/records.jsonl" -o "$work/records.jsonl.zst"
measure write taskset -c 0 ./build/bench_store write --in "$work/records.jsonl" --store "$work/store"
measure zstd_d zstd -d -q -c "$work/records.jsonl.zst"
measure validate taskset -c 0 ./build/alcor --quiet --store "$work/store" validate
zst=$(stat -c %s "$work/records.jsonl.zst")
store_bytes=$(du -sb "$work/store/shards" | cut -f1)

w=$(mbps "$jsonl" "$write_secs"); zc=$(mbps "$jsonl" "$zstd_c_secs")
v=$(mbps "$jsonl" "$validate_secs"); zd=$(mbps "$jsonl" "$zstd_d_secs")
echo
echo "store benchmark: $jsonl bytes of JSONL, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '%-34s %9s %8s %12s\n' "step" "seconds" "MB/s" "peak RSS"
printf '%-34s %9s %8s %9s MiB\n' "alcor write (ShardWriter, 1 core)" "$write_secs" "$w" "$((write_rss / 1024))"
printf '%-34s %9s %8s %9s MiB\n' "zstd -3 -T1 (same JSONL)" "$zstd_c_secs" "$zc" "$((zstd_c_rss / 1024))"
printf '%-34s %9s %8s %9s MiB\n' "alcor validate (1 core)" "$validate_secs" "$v" "$((validate_rss / 1024))"
printf '%-34s %9s %8s %9s MiB\n' "zstd -d (same data)" "$zstd_d_secs" "$zd" "$((zstd_d_rss / 1024))"
awk -v w="$w" -v zc="$zc" -v v="$v" 'BEGIN {
  printf "write / zstd -3 = %.2fx (target >= 0.70)\n", w / zc
  printf "validate = %.1f MB/s (target >= 100)\n", v }'
echo "compressed: store shards $store_bytes bytes, zstd -3 $zst bytes"
echo "peak RSS target: < 100 MiB for write and validate"
