#!/usr/bin/env bash
# HTTP load on SQLite with wrk (apt-get install wrk): subscription creation with 32
# concurrent clients, then stock-level ingest in 1,000-item batches. Starts a release
# build of restock on a fresh database in a temporary directory, with the engine running
# and the per-key rate limit off (one key at thousands of requests/s would get 429s).
#   bash benches/http/run.sh            (from the repository root)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
RESTOCK_API_KEYS=bench-key RESTOCK_RATE_LIMIT__ENABLED=false RESTOCK_LISTEN=127.0.0.1:18080 RUST_LOG=warn "$root/target/release/restock" serve >server.log 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf 127.0.0.1:18080/health >/dev/null && break; sleep 0.2; done
for i in $(seq 1 500); do
  curl -sf -H apikey:bench-key -H content-type:application/json -d "{\"email\":\"c$i@example.com\"}" \
    127.0.0.1:18080/api/v3/contacts | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])'
done >contacts.txt
cd "$root/benches/http"
echo "== subscribe: POST subscriptions, 32 connections, 15 s"
CONTACTS="$work/contacts.txt" KEY=bench-key wrk -t2 -c32 -d15s --latency -s subscribe.lua http://127.0.0.1:18080
echo "== ingest: PUT stock-levels, 1,000-item batches, 8 connections, 15 s"
KEY=bench-key wrk -t2 -c8 -d15s --latency -s ingest.lua http://127.0.0.1:18080
