#!/usr/bin/env bash
# HTTP load on SQLite with wrk (apt-get install wrk): subscription creation with 32
# concurrent clients, then stock-level ingest in 1,000-item batches. Starts a release
# build of restock on a fresh database in a temporary directory, with the engine running
# and the per-key rate limit off (one key at thousands of requests/s would get 429s).
#   bash benches/http/run.sh            (from the repository root)
#   RESTOCK_BIN=/path/to/restock bash benches/http/run.sh   (another build, e.g. a base commit's,
#                                        for before/after figures under the same load)
#   BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/test bash benches/http/run.sh
#                                       (PostgreSQL instead: a fresh database beside the one
#                                        named, created for the run and dropped after it)
set -euo pipefail
port=${BENCH_PORT:-18080}   # another port when a second bench shares the machine
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${RESTOCK_BIN:-}" ]; then
  cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
  RESTOCK_BIN="$root/target/release/restock"
fi
work=$(mktemp -d)
database=""
cleanup() {
  kill $server 2>/dev/null || true
  wait $server 2>/dev/null || true
  if [ -n "$database" ]; then psql -q "$BENCH_POSTGRES" -c "DROP DATABASE IF EXISTS $database" || true; fi
  rm -rf "$work"
}
server=""
trap cleanup EXIT
cd "$work"
if [ -n "${BENCH_POSTGRES:-}" ]; then
  # A database of its own, so every run starts empty like SQLite's temporary file.
  database="restock_bench_${port}_$$"
  psql -q "$BENCH_POSTGRES" -c "CREATE DATABASE $database"
  export RESTOCK_DATABASE_URL="${BENCH_POSTGRES%/*}/$database"
fi
echo "== $RESTOCK_BIN on ${RESTOCK_DATABASE_URL:-SQLite}; load: $(uptime | sed 's/.*load average: //')"
RESTOCK_API_KEYS=bench-key RESTOCK_RATE_LIMIT__ENABLED=false RESTOCK_LISTEN=127.0.0.1:$port RUST_LOG=warn "$RESTOCK_BIN" serve >server.log 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf 127.0.0.1:$port/health >/dev/null && break; sleep 0.2; done
# A busy port lets /health answer from someone else's server: make sure ours is the one up.
kill -0 $server 2>/dev/null || { cat server.log; echo "restock did not start (port $port taken? set BENCH_PORT)" >&2; exit 1; }
for i in $(seq 1 500); do
  curl -sf -H apikey:bench-key -H content-type:application/json -d "{\"email\":\"c$i@example.com\"}" \
    127.0.0.1:$port/api/v3/contacts | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])'
done >contacts.txt
cd "$root/benches/http"
echo "== subscribe: POST subscriptions, 32 connections, 15 s"
CONTACTS="$work/contacts.txt" KEY=bench-key wrk -t2 -c32 -d15s --latency -s subscribe.lua http://127.0.0.1:$port
echo "load after: $(uptime | sed 's/.*load average: //')"
echo "== ingest: PUT stock-levels, 1,000-item batches, 8 connections, 15 s"
KEY=bench-key wrk -t2 -c8 -d15s --latency -s ingest.lua http://127.0.0.1:$port
echo "load after: $(uptime | sed 's/.*load average: //')"
