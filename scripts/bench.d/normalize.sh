#!/usr/bin/env bash
# summary: normalizer: main-content F1 vs readability-lxml on both gold sets (AEB: MB/s too, one process); hostile inputs (time, peak memory)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${ALCOR_BENCH_BUILD:-build}
log=$(mktemp)
cmake --build "$build" --target alcor >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
rm -f "$log"
alcor="$build/alcor"

# 1. Quality and speed against the peer, both on the same pages in the same run.
eval_script=../shared/eval/extraction_eval.py
if [ -f "$eval_script" ]; then
  echo "== main-content extraction (extraction_eval.py, best of 3)"
  /usr/bin/python3 "$eval_script" --cmd "$alcor" "$@"
else
  echo "== $eval_script not found: skipping the quality benchmark"
fi
# The second gold set (multilingual with/without snippets): quality only, one process per page.
snippet_script=../shared/eval/snippet_eval.py
if [ -f "$snippet_script" ]; then
  echo
  echo "== main-content extraction (snippet_eval.py, snippets-dev)"
  /usr/bin/python3 "$snippet_script" --cmd "$alcor"
else
  echo "== $snippet_script not found: skipping the snippet benchmark"
fi

# 2. Hostile inputs, generated here: wall time and peak memory of one process each.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'EOF'
import os, sys
d = sys.argv[1]
def w(name, s):
    with open(os.path.join(d, name), "w") as f:
        f.write(s)
w("nested_100k.html", "<div>" * 100000 + "deep" + "</div>" * 100000)
w("formatting_100k.html", "<b><i><span><a href=x>" * 25000 + "x")
w("line_50mb.html", "<p>" + "word " * 10_000_000 + "</p>")
w("entities_18mb.html", "&amp;&lt;&#x41;&nbsp;&bogus;&#99999999;" * 500000)
w("unclosed.html", "<table><tr><td><p><li><ul><ol><blockquote><pre><code><a href=x><em>text " * 20000)
with open(os.path.join(d, "garbage_5mb.html"), "wb") as f:
    f.write(os.urandom(5_000_000))
EOF
echo
echo "== hostile inputs: alcor normalize --main-content < FILE"
printf '%-22s %10s %9s %12s\n' input bytes seconds peak_RSS_MB
for f in nested_100k formatting_100k line_50mb entities_18mb unclosed garbage_5mb; do
  file="$tmp/$f.html"
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$alcor" normalize --main-content <"$file" >/dev/null
  read -r secs kb <"$tmp/time"
  printf '%-22s %10d %9s %12d\n' "$f" "$(stat -c %s "$file")" "$secs" "$((kb / 1024))"
done
