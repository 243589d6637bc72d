#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests (the test
# meeting on real Prosody), and the browser tests (real Chromium, real server).
# Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash testbed/scripts/setup.sh

echo; echo "== formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features \
  --features hydrate --target-dir target/front -- -D warnings

echo; echo "== build"
bash testbed/scripts/build-site.sh

echo; echo "== unit and integration tests"
cargo test --workspace --no-fail-fast

echo; echo "== browser tests"
cargo build -p testbed --bin testbed
node end2end/e2e.mjs
