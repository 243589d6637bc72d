#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests (the test
# meeting on real Prosody), the browser tests (real Chromium, real server), and
# the release site: its weight against the budget and the browser tests again
# with the optimised WebAssembly. Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash testbed/scripts/setup.sh
# A clean checkout builds once: incremental state would only take disk.
if [[ "${CI:-}" == true ]]; then export CARGO_INCREMENTAL=0; fi

echo; echo "== formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
source testbed/scripts/wasm-env.sh
cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features \
  --features hydrate --target-dir target/front -- -D warnings

echo; echo "== build"
bash testbed/scripts/build-site.sh
cargo build -p testbed --bin testbed

echo; echo "== unit and integration tests"
cargo test --workspace --no-fail-fast

echo; echo "== browser tests"
node end2end/e2e.mjs

echo; echo "== release site: weight and browser tests"
bash testbed/scripts/build-site.sh --release --site-only --site target/site-release
bash testbed/scripts/page-weight.sh target/site-release
LEPTOS_SITE_ROOT=target/site-release node end2end/e2e.mjs
