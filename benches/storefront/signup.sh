#!/usr/bin/env bash
# Public sign-ups on SQLite with wrk (apt-get install wrk): POST /storefront/subscriptions
# with 32 concurrent clients for 15 s, each request a new address with a valid, unused
# proof of work, verified by the server (one SHA-256 and the HMAC, whatever the
# difficulty: the bench asks difficulty 1 so that preparing 60,000 proofs in Python takes
# seconds, not hours; the server's work per sign-up is the same). Confirmation emails are
# written to outbox/ by the running mailer meanwhile, as in production. The per-client
# limit is raised: every request comes from 127.0.0.1.
#   bash benches/storefront/signup.sh
#   RESTOCK_BIN=/path/to/restock bash benches/storefront/signup.sh
set -euo pipefail
port=${BENCH_PORT:-18081}
count=${SIGNUPS:-60000}
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${RESTOCK_BIN:-}" ]; then
  cargo build --release --manifest-path "$root/Cargo.toml" >/dev/null
  RESTOCK_BIN="$root/target/release/restock"
fi
work=$(mktemp -d)
server=""
cleanup() {
  kill $server 2>/dev/null || true
  wait $server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
echo "== $RESTOCK_BIN, sign-ups on SQLite; load: $(uptime | sed 's/.*load average: //')"
RESTOCK_API_KEYS=bench-key RESTOCK_LISTEN=127.0.0.1:$port RUST_LOG=warn \
  RESTOCK_STOREFRONT__ENABLED=true RESTOCK_STOREFRONT__DIFFICULTY=1 \
  RESTOCK_STOREFRONT__LIMITS__PER_IP=100000000 "$RESTOCK_BIN" serve >server.log 2>&1 &
server=$!
for _ in $(seq 1 50); do curl -sf 127.0.0.1:$port/health >/dev/null && break; sleep 0.2; done
kill -0 $server 2>/dev/null || { cat server.log; echo "restock did not start (port $port taken? set BENCH_PORT)" >&2; exit 1; }
echo "== preparing $count sign-ups (challenges fetched and solved)"
python3 "$root/benches/storefront/prepare.py" 127.0.0.1 $port $count bodies.txt
echo "== sign-up: POST /storefront/subscriptions, 32 connections, 15 s"
BODIES="$work/bodies.txt" wrk -t2 -c32 -d15s --latency -s "$root/benches/storefront/signup.lua" http://127.0.0.1:$port
echo "load after: $(uptime | sed 's/.*load average: //')"
sleep 2
echo "confirmation emails written: $(ls outbox | wc -l)"
