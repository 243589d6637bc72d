#!/usr/bin/env bash
# Installs what building, running and testing Grupprum needs, skipping what is
# already there: Debian's prosody, chromium and postgresql (the storage tests start
# their own server), the wasm32 target, wasm-bindgen-cli
# at the Cargo.lock version, and the browser-test packages (npm ci).
set -euo pipefail
cd "$(dirname "$0")/../.."

say() { printf '\n== %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v prosody >/dev/null || missing+=(prosody)
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s lua-unbound >/dev/null 2>&1 || missing+=(lua-unbound)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt: installing ${missing[*]}"
  as_root apt-get update -qq
  # Debian starts a system-wide Prosody (and PostgreSQL) on install; the tests run
  # their own, loopback only, so keep the services from starting.
  policy=/usr/sbin/policy-rc.d
  had_policy=0
  [ -e "$policy" ] && had_policy=1
  if [ "$had_policy" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ "$had_policy" = 0 ] && as_root rm -f "$policy"
fi

# The test meeting runs only on a Prosody with the fixes for CVE-2026-43504 to
# 43507 (Debian's 0.12.3-1+deb12u1 or later).
prosody_version=$(dpkg-query -W -f '${Version}' prosody 2>/dev/null || true)
if ! dpkg --compare-versions "$prosody_version" ge 0.12.3-1+deb12u1; then
  echo "prosody ${prosody_version:-(none)} lacks the fixes for CVE-2026-43504 to 43507: 0.12.3-1+deb12u1 or later is needed" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup: adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "cargo: installing wasm-bindgen-cli $want"
  # --locked can fail when the registry lacks a locked dependency version; the CLI
  # pins its own wasm-bindgen crates exactly, so the unlocked build matches too.
  cargo install wasm-bindgen-cli --version "$want" --locked || cargo install wasm-bindgen-cli --version "$want"
fi

if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "npm: installing the browser-test packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
