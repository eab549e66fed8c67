# summary: push and pull a ~1 GB store to a local Swift (S3 API) beside s3cmd sync of the same files; unchanged pushes
# Usage: scripts/bench s3 [JSONL_BYTES]   (default 5000000000 bytes of JSONL: a store of about 1 GB)
# Starts a one-node Swift (testing/swift/swift_server.py) in a temporary folder and stops it at the end.
set -euo pipefail
bytes=${1:-5000000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/alcor-bench-s3.XXXXXX")
swift=testing/swift/swift_server.py
cleanup() { /usr/bin/python3 "$swift" stop "$work/swift" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
cmake --build build --target bench_store alcor >/dev/null

endpoint=$(/usr/bin/python3 "$swift" start "$work/swift")
export AWS_ENDPOINT_URL=$endpoint AWS_ACCESS_KEY_ID=test:tester AWS_SECRET_ACCESS_KEY=testing
host=${endpoint#http://}
cat > "$work/s3cfg" <<CFG
[default]
access_key = test:tester
secret_key = testing
host_base = $host
host_bucket = $host
use_https = False
signature_v2 = False
bucket_location = us-east-1
CFG
s3cmd() { command s3cmd -c "$work/s3cfg" --no-progress "$@"; }
seconds() {  # seconds CMD...: wall seconds of a command, its output discarded
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / s / 1e6 : 0) }'; }

echo "generating a store from $bytes bytes of JSONL ..."
mkfifo "$work/records.jsonl"  # streamed: the JSONL never lands on disk
./build/bench_store generate --bytes "$bytes" --out "$work/records.jsonl" >/dev/null &
./build/bench_store write --in "$work/records.jsonl" --store "$work/store" >/dev/null
wait
s3cmd mb s3://bench >/dev/null
# s3cmd syncs the same files the push sends: the listed shards and state files, marker, manifest
# (not the search index, a local cache).
mkdir -p "$work/plain"
/usr/bin/python3 - "$work/store" "$work/plain" <<'PY'
import json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(src, "manifest.json")))
paths = [s["path"] for s in m["shards"]] + list(m["state"].values()) + ["ALCOR_STORE", "manifest.json"]
for p in paths:
    os.makedirs(os.path.dirname(os.path.join(dst, p)), exist_ok=True)
    shutil.copy2(os.path.join(src, p), os.path.join(dst, p))
PY
store_bytes=$(du -sb "$work/plain" | cut -f1)
objects=$(find "$work/plain" -type f | wc -l)

push=$(seconds ./build/alcor --quiet push --store "$work/store" s3://bench/alcor)
sync_up=$(seconds s3cmd sync "$work/plain/" s3://bench/s3cmd/)
push_again=$(seconds ./build/alcor --quiet push --store "$work/store" s3://bench/alcor)
sync_again=$(seconds s3cmd sync "$work/plain/" s3://bench/s3cmd/)
pull=$(seconds ./build/alcor --quiet pull s3://bench/alcor --store "$work/pulled")
mkdir -p "$work/synced"
sync_down=$(seconds s3cmd sync s3://bench/s3cmd/ "$work/synced/")
./build/alcor --quiet validate --store "$work/pulled"
validate_bucket=$(seconds ./build/alcor --quiet validate --store s3://bench/alcor)

# 1,000 objects: a store of 1,000 small shards, pushed, then pushed again unchanged.
./build/bench_store generate --bytes 20000000 --out "$work/small.jsonl" >/dev/null
./build/bench_store write --in "$work/small.jsonl" --store "$work/small" --shard-bytes 20000 >/dev/null
small_push=$(seconds ./build/alcor --quiet push --store "$work/small" s3://bench/small)
small_again_json=$(./build/alcor --quiet push --json --store "$work/small" s3://bench/small)
small_again=$(echo "$small_again_json" | sed -n 's/.*"seconds":\([0-9.e+-]*\).*/\1/p')
small_objects=$(echo "$small_again_json" | sed -n 's/.*"skipped":\([0-9]*\).*/\1/p')

echo
echo "S3 benchmark: a store of $store_bytes bytes ($objects files), local Swift 2.30 (s3api), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '%-44s %9s %8s\n' "step" "seconds" "MB/s"
printf '%-44s %9s %8s\n' "alcor push (4 uploads at once)" "$push" "$(mbps "$store_bytes" "$push")"
printf '%-44s %9s %8s\n' "s3cmd sync up (same files)" "$sync_up" "$(mbps "$store_bytes" "$sync_up")"
printf '%-44s %9s %8s\n' "alcor pull (sha256 checked)" "$pull" "$(mbps "$store_bytes" "$pull")"
printf '%-44s %9s %8s\n' "s3cmd sync down (same files)" "$sync_down" "$(mbps "$store_bytes" "$sync_down")"
printf '%-44s %9s %8s\n' "alcor validate --store s3://... (streamed)" "$validate_bucket" "$(mbps "$store_bytes" "$validate_bucket")"
printf '%-44s %9s\n' "alcor push, unchanged" "$push_again"
printf '%-44s %9s\n' "s3cmd sync up, unchanged" "$sync_again"
printf '%-44s %9s\n' "alcor push of $small_objects small objects" "$small_push"
printf '%-44s %9s   %s\n' "alcor push of them again, unchanged" "$small_again" "$small_again_json"
awk -v p="$push" -v s="$sync_up" -v l="$pull" -v d="$sync_down" -v a="$small_again" -v n="$small_objects" 'BEGIN {
  printf "push / s3cmd sync up = %.2fx, pull / s3cmd sync down = %.2fx (targets >= 1)\n", s / p, d / l
  printf "unchanged push: %.3f s per 1,000 objects (target < 1)\n", a / n * 1000
}'
