#!/usr/bin/env bash
# Console page-render times at scale (docs/console.md): the example shop (restock.yaml) on
# SQLite with ROWS integration-log rows (half stock levels, half "sent" or held-back rows,
# spread over the last 7 days), then each page timed with curl (best of 5).
#   benches/console-pages.sh [path/to/restock] [ROWS]     (default: target/release/restock, 1000000)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$here/target/release/restock}")"
rows="${2:-1000000}"
dir="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
cp -r "$here/restock.yaml" "$here/examples" "$here/rules" "$here/templates" "$dir/"
cd "$dir"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export RESTOCK_LISTEN="127.0.0.1:$port" RESTOCK_PUBLIC_URL="http://127.0.0.1:$port"
export RESTOCK_ENGINE__ENABLED=false RESTOCK_DELIVERY__ENABLED=false
start() { "$bin" serve >serve.log 2>&1 & pid=$!; for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done; cat serve.log; exit 1; }
start; kill "$pid"; wait "$pid" || true     # creates and migrates restock.db
python3 - "$rows" <<'PY'
import sqlite3, sys, datetime
rows = int(sys.argv[1]); levels = rows // 2
db = sqlite3.connect("restock.db")
now = datetime.datetime.now(datetime.timezone.utc)
def level(i):
    when = (now - datetime.timedelta(seconds=(levels - i) * 604800 / levels)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    batch = i.to_bytes(16, "big")
    sku = "SKU-%d" % (i % 5000)
    yield (batch, 0, "matched", "", "", sku, "sv-SE", 5, 3, when)
    yield (batch, 0, "sent" if i % 10 else "conditionFalse", "back-in-stock-everyone" if i % 10 else "", "sv-SE" if i % 10 else "", sku, "sv-SE", 5, 3, when)
db.executemany("INSERT INTO integration_log (batch_id, item, outcome, automation, branch, sku, locale, quantity, count, logged_on) VALUES (?,?,?,?,?,?,?,?,?,?)",
               (r for i in range(1, levels + 1) for r in level(i)))
db.commit()
PY
echo "rows: $(sqlite3 restock.db 'SELECT COUNT(*) FROM integration_log') integration-log rows"
start
key="$(cat restock.key)"
cookie="$(curl -s -D - -o /dev/null -X POST -d "apikey=$key" "http://127.0.0.1:$port/admin/login" | sed -n 's/^set-cookie: \([^;]*\).*/\1/ip')"
for page in /admin /admin/log "/admin/log?sku=SKU-42" "/admin/log?held=1" /admin/automations /admin/feeds "/admin/feeds?locale=sv-SE&sku=KIRUNA-BLK-M" /admin/outbox; do
  best=""
  for _ in 1 2 3 4 5; do
    t="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "cookie: $cookie" "http://127.0.0.1:$port$page")"
    code="${t% *}"; secs="${t#* }"
    [ "$code" = 200 ] || { echo "$page answered $code"; exit 1; }
    best="$(python3 -c "print(min(float('$secs'), float('${best:-9e9}')))")"
  done
  printf '%-45s %6.1f ms\n' "$page" "$(python3 -c "print($best * 1000)")"
done
