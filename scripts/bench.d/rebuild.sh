#!/usr/bin/env bash
# summary: alcor rebuild vs alcor normalize --jsonl --main-content on the same HTML bytes (MB/s, both cores), peak RSS at N and 4N pages
# Usage: scripts/bench rebuild [N]   (default N=1500 generated article pages of about 12 KB)
# Ingests N pages (then 4N) into a fresh store, so that each record has its page in the raw archive,
# then times `alcor rebuild` (every record converted again from its raw bytes, through the
# deduplicator, swapped in) and `alcor normalize --jsonl --main-content` on the same pages as JSONL.
# Targets (issue 17): rebuild reaches at least 0.8x normalize's throughput; its memory stays flat
# from N to 4N pages.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1500}
work=$(mktemp -d /tmp/alcor-bench-rebuild.XXXXXX)
trap 'rm -rf "$work"' EXIT

generate() {  # generate DIR PAGES
  python3 - "$1" "$2" <<'PY'
import json, os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261207)
vocab = """alignment oversight reward model policy gradient agent corrigible interpretability circuit
feature neuron training objective proxy goal mesa optimizer deceptive honest evaluation benchmark
scaling law capability safety robust adversarial preference human feedback debate amplification
distillation myopia shutdown utility value learning specification gaming generalization shift""".split()
def words(k): return " ".join(rng.choice(vocab) for _ in range(k))
os.makedirs(f"{root}/pages", exist_ok=True)
with open(f"{root}/pages.jsonl", "w") as jl:
    for i in range(n):
        body = "".join(f"<p>{words(rng.randint(40, 120)).capitalize()}.</p>" for _ in range(rng.randint(8, 16)))
        html = (f"<!doctype html><html><head><title>Page {i}: {words(4)}</title><meta name=author content='Author {i % 50}'>"
                f"</head><body><nav>" + "".join(f"<a href='/s/{k}'>Section {k}</a> " for k in range(12)) +
                f"</nav><main><article><h1>Page {i}</h1>{body}</article></main><aside>{words(30)}</aside>"
                f"<footer>{words(20)}</footer></body></html>")
        open(f"{root}/pages/page{i:06d}.html", "w").write(html)
        jl.write(json.dumps({"id": f"page{i}", "html": html}) + "\n")
PY
}

run_one() {  # run_one LABEL PAGES
  local label=$1 pages=$2 dir="$work/$1"
  generate "$dir" "$pages"
  ./build/alcor --store "$dir/store" --quiet --no-progress ingest --main-content "$dir/pages" >/dev/null
  /usr/bin/time -f "%e %M %U %S" -o "$dir/time-rebuild" ./build/alcor --store "$dir/store" --quiet --no-progress \
    rebuild --json >"$dir/rebuild.json"
  /usr/bin/time -f "%e %M %U %S" -o "$dir/time-normalize" ./build/alcor normalize --jsonl --main-content \
    <"$dir/pages.jsonl" >/dev/null
  python3 - "$label" "$dir" <<'PY'
import json, os, sys, glob
label, d = sys.argv[1:]
mb = sum(os.path.getsize(p) for p in glob.glob(f"{d}/pages/*.html")) / 1e6
rb_s, rb_kb, rb_u, rb_sys = open(f"{d}/time-rebuild").read().split()
nm_s, nm_kb, nm_u, nm_sys = open(f"{d}/time-normalize").read().split()
rep = json.load(open(f"{d}/rebuild.json"))
raw = sum(r["file_bytes"] for r in json.load(open(f"{d}/store/manifest.json")).get("raw", []))
print(json.dumps({"label": label, "html_mb": mb, "records": rep["records"],
                  "unchanged": sum(s["unchanged"] for s in rep["sources"]),
                  "rebuild_s": float(rb_s), "rebuild_mb_s": mb / float(rb_s), "rebuild_rss_mb": int(rb_kb) / 1e3,
                  "rebuild_cpu_s": float(rb_u) + float(rb_sys), "normalize_cpu_s": float(nm_u) + float(nm_sys),
                  "normalize_s": float(nm_s), "normalize_mb_s": mb / float(nm_s), "normalize_rss_mb": int(nm_kb) / 1e3,
                  "raw_archive_mb": raw / 1e6}))
PY
}

echo "generating and ingesting $n and $((n * 4)) pages..." >&2
small=$(run_one small "$n")
large=$(run_one large "$((n * 4))")
echo "$small"
echo "$large"
python3 - "$small" "$large" <<'PY'
import json, sys
s, l = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("| pages | HTML MB | raw archive MB | rebuild s (CPU s) | rebuild MB/s | normalize s (CPU s) | normalize MB/s | ratio | rebuild RSS MB |")
print("|---|---|---|---|---|---|---|---|---|")
for r in (s, l):
    print(f"| {r['records']} | {r['html_mb']:.1f} | {r['raw_archive_mb']:.1f} | {r['rebuild_s']:.1f} ({r['rebuild_cpu_s']:.1f}) | {r['rebuild_mb_s']:.2f} | "
          f"{r['normalize_s']:.1f} ({r['normalize_cpu_s']:.1f}) | {r['normalize_mb_s']:.2f} | {r['rebuild_mb_s'] / r['normalize_mb_s']:.2f} | {r['rebuild_rss_mb']:.0f} |")
ratio = min(r["rebuild_mb_s"] / r["normalize_mb_s"] for r in (s, l))
growth = l["rebuild_rss_mb"] / s["rebuild_rss_mb"] - 1
print(f"rebuild/normalize throughput: {ratio:.2f}x (target >= 0.8x): " + ("PASS" if ratio >= 0.8 else "FAIL"))
# normalize runs on one thread, rebuild on all cores: on a machine others load, wall time follows
# the share of the cores each gets; the CPU time each needed tells the work apart from the load.
cpu = max(r["rebuild_cpu_s"] / r["normalize_cpu_s"] for r in (s, l))
print(f"rebuild/normalize CPU time: {cpu:.2f}x (rebuild's CPU time on both cores; 2.5x or less allows 0.8x on 2 quiet cores)")
print(f"rebuild RSS growth for 4x the store: {growth * 100:.0f}% (dedup index included)")
PY
