#!/usr/bin/env bash
# Builds the server and the hydrated site.
#   build-site.sh                      debug build into target/site
#   build-site.sh --release            release build, wasm optimised with npm's wasm-opt,
#                                      files also precompressed (.gz)
#   build-site.sh --site-only          the site alone, without the server
#   build-site.sh --site DIR           the site into DIR instead of target/site
set -euo pipefail
cd "$(dirname "$0")/../.."

profile=dev
site=target/site
site_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release; shift ;;
    --site-only) site_only=1; shift ;;
    --site) site=$2; shift 2 ;;
    *) echo "usage: build-site.sh [--release] [--site-only] [--site DIR]" >&2; exit 2 ;;
  esac
done

source testbed/scripts/wasm-env.sh

if [ "$profile" = release ]; then
  wasm_profile=(--profile wasm-release)
  wasm_dir=wasm-release
  server_profile=(--profile server-release)
  server_dir=server-release
else
  wasm_profile=()
  wasm_dir=debug
  server_profile=()
  server_dir=debug
fi

cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --target-dir target/front "${wasm_profile[@]}"
if [ "$site_only" = 0 ]; then
  cargo build -p server --bin grupprum "${server_profile[@]}"
fi

rm -rf "$site"
mkdir -p "$site/pkg"
cp -r public/. "$site/"
cp style/main.css "$site/pkg/grupprum.css"
wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" --out-name grupprum \
  "target/front/wasm32-unknown-unknown/$wasm_dir/app.wasm"
if [ "$profile" = release ]; then
  # Merging the many near-identical generic functions first, then -Oz, gives
  # the smallest file (measured: some 10 KB raw and 3 KB gzip less than -Oz alone).
  end2end/node_modules/.bin/wasm-opt --merge-similar-functions -Oz \
    --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$site/pkg/grupprum_bg.wasm" -o "$site/pkg/grupprum_bg.wasm"
  # Served as they are to browsers that accept gzip.
  for f in "$site"/pkg/* "$site"/*.svg; do
    gzip -9 -k -f "$f"
  done
fi
if [ "$site_only" = 0 ]; then
  echo "site built in $site ($profile); server: target/$server_dir/grupprum"
else
  echo "site built in $site ($profile)"
fi
