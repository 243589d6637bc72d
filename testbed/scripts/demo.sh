#!/usr/bin/env bash
# Starts the local demo: the test meeting with 12 simulated participants and the
# Grupprum panel, then prints the panel's address. Ctrl-C stops both.
#   demo.sh [--participants N] [--room NAME] [--port PORT]
set -euo pipefail
cd "$(dirname "$0")/../.."

participants=12
room=demo
port=3000
while [ $# -gt 0 ]; do
  case "$1" in
    --participants) participants=$2; shift 2 ;;
    --room) room=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "usage: demo.sh [--participants N] [--room NAME] [--port PORT]" >&2; exit 2 ;;
  esac
done

bash testbed/scripts/setup.sh
bash testbed/scripts/build-site.sh
cargo build -p testbed --bin testbed

dir=$(mktemp -d "${TMPDIR:-/tmp}/grupprum-demo-XXXXXX")
# The demo meeting has a host who makes every panel that joins a moderator (in a
# real meeting a Jitsi moderator grants it); the people join through its control API.
target/debug/testbed start --room "$room" --participants 0 --grant-panels --dir "$dir" >/dev/null
stop_all() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  target/debug/testbed stop --dir "$dir" >/dev/null 2>&1 || true
}
trap stop_all EXIT INT TERM

set -a
# shellcheck disable=SC1091
. "$dir/meeting.env"
set +a
LEPTOS_OUTPUT_NAME=grupprum LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  GRUPPRUM_DATABASE="$dir/plans.db" target/debug/grupprum &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the panel did not start" >&2; exit 1; }
  sleep 0.1
done
names=("Anna Lindqvist" "Erik Johansson" "Åsa Öberg" "Mohammed Al-Hassan" "Karin Nilsson" "Björn Ängström"
  "Fatima Yusuf" "Lars-Göran Persson" "Maria García López" "Johan Ek" "Siiri Niemi" "Nguyễn Thị Lan")
for i in $(seq 1 "$participants"); do
  name="${names[$(( (i - 1) % ${#names[@]} ))]}"
  [ "$i" -gt "${#names[@]}" ] && name="$name $(( (i - 1) / ${#names[@]} + 1 ))"
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"name\": \"$name\"}" "$TESTBED_CONTROL_URL/participants"
done
echo
echo "Test meeting '$room' with $participants participants is up ($XMPP_WS_URL)."
echo "Grupprum board: http://127.0.0.1:$port/$room"
echo "Press Ctrl-C to stop."
wait "$server_pid"
