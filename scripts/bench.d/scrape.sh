#!/usr/bin/env bash
# summary: end-to-end alcor scrape against a generated mirror (N and 10N documents): MB/s, records/s, peak RSS
# Usage: scripts/bench scrape [N] [ROUNDS]   (default N=1500 forum posts + N/3 blog posts)
# With ROUNDS > 0 it measures only the raw archive's cost: ROUNDS interleaved pairs of scrapes of
# the N corpus with "raw": "all" and "raw": "none" (the order alternating from pair to pair), each
# into a fresh store, and reports the median, min and max of wall time and of user+sys CPU time.
# Generates two mirror corpora (forum GraphQL + a WordPress blog with paged feeds), serves each
# with build/mirror, runs `alcor scrape` into a fresh store under /usr/bin/time, and reads the run
# report. The dedup index's own memory (reported by the run) is subtracted from peak RSS before
# the two sizes are compared: the target is at most 20% growth for ten times the input. The small
# corpus is scraped once more with "raw": "none": the raw archive's cost in wall time (target: at
# most +15%) and its size against the HTTP bytes it keeps.
set -euo pipefail
n=${1:-1500}
work=$(mktemp -d /tmp/alcor-bench-scrape.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

generate() {  # generate DIR POSTS
  python3 - "$1" "$2" <<'PY'
import json, os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261128)
vocab = [w.strip() for w in """alignment oversight reward model policy gradient agent corrigible
interpretability circuit feature neuron training objective proxy goal mesa optimizer deceptive
honest evaluation benchmark scaling law capability safety robust adversarial example preference
human feedback debate amplification distillation myopia shutdown utility function value learning
inner outer specification gaming generalization distribution shift transparency probe activation
steering vector sparse autoencoder superposition attention head residual stream token language
""".split()]
def words(k):
    return " ".join(rng.choice(vocab) for _ in range(k))
def para():
    return words(rng.randint(40, 120)).capitalize() + "."
os.makedirs(f"{root}/forum", exist_ok=True)
posts = []
for i in range(n):
    body = "\n\n".join(para() for _ in range(rng.randint(6, 14)))
    p = {"_id": f"bench{i:012d}", "title": f"Post {i}: {words(5)}", "slug": f"post-{i}",
         "postedAt": f"20{10 + i * 14 // n:02d}-0{1 + i % 9}-1{i % 10}T12:{i % 60:02d}:00.000Z",
         "baseScore": rng.randint(0, 200), "voteCount": rng.randint(0, 90), "commentCount": 0,
         "wordCount": len(body.split()), "af": i % 5 == 0, "afBaseScore": 10, "question": False,
         "isEvent": False, "draft": False, "tags": [{"name": "AI", "slug": "ai"}],
         "user": {"displayName": f"Author {i % 97}", "username": f"author{i % 97}"}, "coauthors": []}
    p["modifiedAt"] = p["postedAt"]
    if i % 2 == 0:
        p["contents"] = {"markdown": body}
    else:
        p["htmlBody"] = "".join(f"<p>{x}</p>" for x in body.split("\n\n"))
    posts.append(p)
json.dump(posts, open(f"{root}/forum/posts.json", "w"))
blog_posts = []
for i in range(max(1, n // 3)):
    html = "".join(f"<p>{para()}</p>" for _ in range(rng.randint(5, 12)))
    blog_posts.append({"slug": f"entry-{i}", "title": f"Entry {i}: {words(4)}", "authors": ["Blogger"],
                       "published": f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}T08:00:00Z",
                       "tags": ["alignment"], "summary": words(20), "html": html})
os.makedirs(f"{root}/blogs/bench-blog", exist_ok=True)
json.dump({"platform": "wordpress", "title": "Bench blog", "description": "generated", "feed_items": 50,
           "posts": blog_posts}, open(f"{root}/blogs/bench-blog/blog.json", "w"))
PY
}

run_one() {  # run_one LABEL ROOT [RAW]
  local label=$1 root=$2 raw=${3:-all} store="$work/store-$1"
  rm -f "$work/port"
  ./build/mirror --port 0 --root "$root" --port-file "$work/port" 2>"$work/mirror-$label.log" &
  local mirror=$!
  for _ in $(seq 1200); do
    [ -s "$work/port" ] && break
    kill -0 "$mirror" 2>/dev/null || { cat "$work/mirror-$label.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$work/port" ] || { echo "bench: the mirror did not start" >&2; exit 1; }
  local port; read -r port _ <"$work/port"  # "<main> <arxiv api> <arxiv site>"
  cat >"$work/config-$label.json" <<JSON
{"http": {"hosts": {"127.0.0.1:$port": {"concurrency": 8, "interval_s": 0}}},
 "raw": "$raw",
 "sources": [
  {"name": "forum", "kind": "forummagnum", "base_url": "http://127.0.0.1:$port/forum/lw", "site": "lesswrong"},
  {"name": "blog:bench", "kind": "feed", "platform": "wordpress",
   "feed_url": "http://127.0.0.1:$port/blogs/bench-blog/feed/"}]}
JSON
  /usr/bin/time -f "%e %M %U %S" -o "$work/time-$label" ./build/alcor --store "$store" --quiet --no-progress \
    scrape --config "$work/config-$label.json" >/dev/null
  kill "$mirror"; wait "$mirror" 2>/dev/null || true
  python3 - "$label" "$store" "$work/time-$label" <<'PY'
import glob, json, sys
label, store, timing = sys.argv[1:]
wall, rss_kb, user, sys_s = open(timing).read().split()
report = json.load(open(sorted(glob.glob(f"{store}/runs/*.json"))[-1]))
inp = sum(s["input_bytes"] for s in report["sources"])
http_bytes = sum(s["bytes"] for s in report["sources"])
raw = sum(r["file_bytes"] for r in json.load(open(f"{store}/manifest.json")).get("raw", []))
new = sum(s["new"] for s in report["sources"])
index = report["dedup"].get("index_memory_bytes", 0)
rss = int(rss_kb) * 1024
print(json.dumps({"label": label, "seconds": float(wall), "cpu_seconds": float(user) + float(sys_s), "input_mb": inp / 1e6, "records": new,
                  "mb_per_s": inp / 1e6 / float(wall), "records_per_s": new / float(wall),
                  "peak_rss_mb": rss / 1e6, "dedup_index_mb": index / 1e6,
                  "rss_without_index_mb": (rss - index) / 1e6, "http_mb": http_bytes / 1e6,
                  "raw_archive_mb": raw / 1e6}))
PY
}

rounds=${2:-0}
if [ "$rounds" -gt 0 ]; then
  echo "generating a mirror corpus ($n forum posts) for $rounds interleaved pairs, raw all / none..." >&2
  generate "$work/ab" "$n"
  for i in $(seq "$rounds"); do
    order="all none"; [ $((i % 2)) -eq 0 ] && order="none all"
    for raw in $order; do
      run_one "ab-$raw-$i" "$work/ab" "$raw" >>"$work/ab.jsonl"
      rm -rf "$work/store-ab-$raw-$i"
    done
  done
  python3 - "$work/ab.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
def of(raw, key): return [r[key] for r in runs if r["label"].startswith(f"ab-{raw}-")]
r0 = runs[0]
print(f"corpus: {r0['input_mb']:.1f} MB of input, {r0['records']} records; raw archive {r0['raw_archive_mb']:.1f} MB "
      f"for {r0['http_mb']:.1f} MB of HTTP bodies")
print("| raw | runs | wall s median (min-max) | user+sys CPU s median (min-max) |")
print("|---|---|---|---|")
for raw in ("all", "none"):
    w, c = of(raw, "seconds"), of(raw, "cpu_seconds")
    print(f"| {raw} | {len(w)} | {statistics.median(w):.2f} ({min(w):.2f}-{max(w):.2f}) | "
          f"{statistics.median(c):.2f} ({min(c):.2f}-{max(c):.2f}) |")
wall = statistics.median(of("all", "seconds")) / statistics.median(of("none", "seconds")) - 1
cpu = statistics.median(of("all", "cpu_seconds")) / statistics.median(of("none", "cpu_seconds")) - 1
print(f"raw archive cost: wall {wall * 100:+.1f}% (limit +15%): " + ("PASS" if wall <= 0.15 else "FAIL") +
      f"; CPU {cpu * 100:+.1f}%")
PY
  exit 0
fi

echo "generating mirror corpora ($n and $((n * 10)) forum posts)..." >&2
generate "$work/small" "$n"
generate "$work/large" "$((n * 10))"
small=$(run_one small "$work/small")
large=$(run_one large "$work/large")
bare=$(run_one small-raw-none "$work/small" none)
echo "$small"
echo "$large"
echo "$bare"
python3 - "$small" "$large" "$bare" <<'PY'
import json, sys
s, l, b = (json.loads(a) for a in sys.argv[1:4])
growth = l["rss_without_index_mb"] / s["rss_without_index_mb"] - 1
print(f"| corpus | input MB | records | seconds | MB/s | records/s | peak RSS MB | dedup index MB | RSS less index MB |")
print(f"|---|---|---|---|---|---|---|---|---|")
for r in (s, l):
    print(f"| {r['label']} | {r['input_mb']:.1f} | {r['records']} | {r['seconds']:.1f} | {r['mb_per_s']:.2f} | "
          f"{r['records_per_s']:.0f} | {r['peak_rss_mb']:.1f} | {r['dedup_index_mb']:.1f} | {r['rss_without_index_mb']:.1f} |")
print(f"RSS growth for 10x input (dedup index aside): {growth * 100:.1f}% (limit 20%): "
      + ("PASS" if growth <= 0.20 else "FAIL"))
cost = s["seconds"] / b["seconds"] - 1
print(f"raw archive: {s['raw_archive_mb']:.1f} MB for {s['http_mb']:.1f} MB of HTTP bodies "
      f"({s['raw_archive_mb'] / max(s['http_mb'], 1e-9) * 100:.0f}%); scrape {s['seconds']:.1f} s with it, "
      f"{b['seconds']:.1f} s without: {cost * 100:+.1f}% (limit +15%): " + ("PASS" if cost <= 0.15 else "FAIL"))
PY
