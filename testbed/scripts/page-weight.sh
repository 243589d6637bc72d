#!/usr/bin/env bash
# Prints what a browser downloads for the site in DIR (default target/site), raw
# and gzip -9, and checks the WebAssembly against its budget: at most 500 KiB raw
# and 200 KiB compressed. Exits 1 when it is over.
#   page-weight.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

site=${1:-target/site}
wasm_raw_budget=$((500 * 1024))
wasm_gzip_budget=$((200 * 1024))

total_raw=0
total_gzip=0
printf '%-28s %10s %10s\n' file raw gzip
for f in "$site"/pkg/grupprum_bg.wasm "$site"/pkg/grupprum.js "$site"/pkg/grupprum.css "$site"/favicon.svg; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gzip=$((total_gzip + gz))
  printf '%-28s %10d %10d\n' "${f#"$site"/}" "$raw" "$gz"
done
printf '%-28s %10d %10d\n' "all static files" "$total_raw" "$total_gzip"

wasm_raw=$(stat -c %s "$site/pkg/grupprum_bg.wasm")
wasm_gzip=$(gzip -9 -c "$site/pkg/grupprum_bg.wasm" | wc -c)
if [ "$wasm_raw" -gt "$wasm_raw_budget" ] || [ "$wasm_gzip" -gt "$wasm_gzip_budget" ]; then
  echo "the wasm is over its budget: $wasm_raw B raw (at most $wasm_raw_budget), $wasm_gzip B gzip (at most $wasm_gzip_budget)" >&2
  exit 1
fi
echo "the wasm is within its budget ($wasm_raw of $wasm_raw_budget B raw, $wasm_gzip of $wasm_gzip_budget B gzip)"
