#!/usr/bin/env bash
# Builds the server and the hydrated site into target/site.
#   build-site.sh            debug build
#   build-site.sh --release  release build, wasm optimised with npm's wasm-opt
set -euo pipefail
cd "$(dirname "$0")/../.."

profile=dev
server_dir=debug
wasm_dir=debug
if [ "${1:-}" = "--release" ]; then
  profile=release
  server_dir=server-release
  wasm_dir=wasm-release
fi

if [ "$profile" = release ]; then
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
    --target-dir target/front --profile wasm-release
  cargo build -p server --bin grupprum --profile server-release
else
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
    --target-dir target/front
  cargo build -p server --bin grupprum
fi

site=target/site
rm -rf "$site"
mkdir -p "$site/pkg"
cp -r public/. "$site/"
cp style/main.css "$site/pkg/grupprum.css"
wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" --out-name grupprum \
  "target/front/wasm32-unknown-unknown/$wasm_dir/app.wasm"
if [ "$profile" = release ]; then
  end2end/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$site/pkg/grupprum_bg.wasm" -o "$site/pkg/grupprum_bg.wasm"
  cp "target/server-release/grupprum" target/grupprum-release
fi
echo "site built in $site ($profile); server: target/$server_dir/grupprum"
