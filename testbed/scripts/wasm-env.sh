# Sourced by every script that builds for wasm32: the same flags each time, so
# that one build's artefacts serve the next. Source paths in panic locations are
# cut to the crate's own path (`leptos-0.8.x/src/…`, `core/src/…`): shorter, and
# the same on every machine.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
wasm_flags=()
for registry in "$cargo_home"/registry/src/*/; do
  [ -d "$registry" ] && wasm_flags+=("--remap-path-prefix=$registry=")
done
sysroot=$(rustc --print sysroot)
commit=$(rustc -vV | sed -n 's/^commit-hash: //p')
[ -n "$commit" ] && wasm_flags+=("--remap-path-prefix=/rustc/$commit/library/=")
wasm_flags+=("--remap-path-prefix=$sysroot/lib/rustlib/src/rust/library/=")
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${wasm_flags[*]}"
