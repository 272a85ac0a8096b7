#!/usr/bin/env bash
# Benchmark scenarios 1 (fan-out) and 4 (delivery) of BENCHMARKS.md, on SQLite and on PostgreSQL with two
# instances, each run RUNS times (default 3) with the load average logged before each run,
# so that a noisy figure can be recognised. Raw output goes to OUT (default bench-logs/).
#   PG=postgres://postgres@127.0.0.1:5432/test bash benches/scenarios.sh [fanout|delivery|all]
# Needs a release build (cargo build --release), PostgreSQL at $PG, and an SMTP sink at
# 127.0.0.1:2525 for delivery, e.g. `smtp-sink -u nobody 127.0.0.1:2525 1000 &` (postfix).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/restock"
runs=${RUNS:-3}
pg=${PG:-postgres://postgres@127.0.0.1:5432/test}
smtp='smtp://127.0.0.1:2525?tls=none'
out=${OUT:-$root/bench-logs}
mkdir -p "$out"
export RUST_LOG=${RUST_LOG:-error}

run() {  # name, then the bench arguments
  local name=$1; shift
  for i in $(seq 1 "$runs"); do
    { echo "## $name run $i: restock bench $*"; uptime; "$bin" bench "$@"; echo; } 2>&1 | tee -a "$out/$name.log"
  done
}

what=${1:-all}
if [[ $what == all || $what == fanout ]]; then
  run fanout-sqlite-1m fanout --subscriptions 1000000
  run fanout-pg2-1m fanout --subscriptions 1000000 --database-url "$pg" --instances 2
  run fanout-pg2-8sku fanout --subscriptions 1000000 --skus 8 --levels 8 --skew 0 --database-url "$pg" --instances 2
fi
if [[ $what == all || $what == delivery ]]; then
  run delivery-sqlite delivery --emails 20000 --smtp-url "$smtp" --concurrency 128
  run delivery-pg2 delivery --emails 20000 --smtp-url "$smtp" --concurrency 64 --database-url "$pg" --instances 2
fi
