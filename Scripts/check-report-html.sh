#!/usr/bin/env bash
# Render a persona HTML report in headless Chromium, take a screenshot, and check that the
# browser built every piece the file holds.
#
#   Scripts/check-report-html.sh REPORT.html OUT.png [SECTION-ID ...]
#
# Checks, on the DOM Chromium built from the file (--dump-dom):
#   - every <section id> of the file, and every SECTION-ID given, is there, with its entry
#     in the table of contents;
#   - the same number of sections, tables, table rows, figures, SVGs and SVG circles, texts
#     and lines as in the file (nothing dropped or re-parented by the parser);
#   - no SVG turned into text (an escaped "&lt;svg");
#   - nothing to fetch: no <script>, <img>, <link>, <iframe>, @import, @font-face, and no
#     http(s) URL other than the SVG namespace.
# Then writes a 1280 x 4000 screenshot to OUT.png and checks it is a PNG of more than 60 kB
# (a blank page is about 25 kB).
#
# Chromium: Debian's `chromium` package (apt-get install -y chromium), or set CHROMIUM.
# Exits 0 when every check passes, 1 when one fails, 2 on a usage error.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html OUT.png [SECTION-ID ...]" >&2
  exit 2
fi
report=$1 png=$2
shift 2
[ -f "$report" ] || { echo "$report: no such file" >&2; exit 2; }

chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null; then chromium=$(command -v "$name"); break; fi
  done
fi
[ -n "$chromium" ] || { echo "headless Chromium not found: apt-get install -y chromium (or set CHROMIUM)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --hide-scrollbars
       "--user-data-dir=$work/profile")

"$chromium" "${flags[@]}" --dump-dom "$url" >"$work/dom.html" 2>/dev/null
"$chromium" "${flags[@]}" --window-size=1280,4000 "--screenshot=$png" "$url" >/dev/null 2>&1

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
count() { { grep -o -- "$1" "$2" || true; } | wc -l; }

grep -q '</html>' "$work/dom.html" || fail "Chromium produced no document"

ids=$(grep -o '<section id="[^"]*"' "$report" | sed 's/<section id="//; s/"$//')
for id in $ids "$@"; do
  grep -q "<section id=\"$id\"" "$work/dom.html" || fail "section #$id missing"
  grep -q "<a href=\"#$id\">" "$work/dom.html" || fail "no contents entry for #$id"
done

for element in '<section' '<table' '<tr>' '<figure' '<svg' '<circle' '<text' '<line'; do
  in_file=$(count "$element" "$report")
  in_dom=$(count "$element" "$work/dom.html")
  [ "$in_file" = "$in_dom" ] || fail "$element: $in_file in the file, $in_dom in the rendered page"
done
if grep -q '&lt;svg\|&lt;circle' "$work/dom.html"; then fail "an SVG was rendered as text"; fi

for needle in '<script' '<img' '<link' '<iframe' '@import' '@font-face'; do
  if grep -qi -- "$needle" "$report"; then fail "the file contains $needle"; fi
done
if grep -o 'https\?://[^"'"'"' )<>]*' "$report" | grep -v '^http://www.w3.org/2000/svg$' | grep -q .; then
  fail "the file refers to an external URL: $(grep -o 'https\?://[^"'"'"' )<>]*' "$report" | grep -v 'w3.org/2000/svg' | head -1)"
fi

if [ ! -s "$png" ]; then
  fail "no screenshot written"
else
  if [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then fail "$png is not a PNG"; fi
  size=$(wc -c <"$png")
  [ "$size" -gt 60000 ] || fail "screenshot is only $size bytes: the page looks empty"
fi

sections=$(echo "$ids" | wc -w)
echo "$report: $sections sections, $(count '<tr>' "$work/dom.html") table rows, $(count '<svg' "$work/dom.html") figures rendered; screenshot $png"
[ "$failures" = 0 ] || { echo "$failures check(s) failed" >&2; exit 1; }
echo "all checks passed"
