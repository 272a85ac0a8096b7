#!/usr/bin/env bash
# Demand and Contacts page times at scale (docs/console.md): the example shop on SQLite with
# N contacts, each with one waiting subscription (5,000 SKUs, half sv-SE, half en-US, created over the
# last 30 days), then each page timed with curl (best of 5).
#   benches/console-demand.sh [path/to/restock] [N]     (default: target/release/restock, 1000000)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$here/target/release/restock}")"
n="${2:-1000000}"
dir="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
cp -r "$here/restock.yaml" "$here/examples" "$here/rules" "$here/templates" "$dir/"
cd "$dir"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export RESTOCK_LISTEN="127.0.0.1:$port" RESTOCK_PUBLIC_URL="http://127.0.0.1:$port"
export RESTOCK_ENGINE__ENABLED=false RESTOCK_DELIVERY__ENABLED=false
start() { "$bin" serve >serve.log 2>&1 & pid=$!; for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done; cat serve.log; exit 1; }
start; kill "$pid"; wait "$pid" || true     # creates and migrates restock.db
python3 - "$n" <<'PY'
import sqlite3, sys, datetime, uuid
n = int(sys.argv[1])
db = sqlite3.connect("restock.db")
now = datetime.datetime.now(datetime.timezone.utc)
def when(i):
    return (now - datetime.timedelta(seconds=(n - i) * 2592000 / n)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
def cid(i): return (1 << 127 | i).to_bytes(16, "big")
def sid(i): return (1 << 126 | i).to_bytes(16, "big")
db.executemany("INSERT INTO contacts (id, email_key, attributes, created_on, modified_on) VALUES (?,?,?,?,?)",
               ((cid(i), "user%d@example.com" % i, '{"email":"user%d@example.com"}' % i, when(i), when(i)) for i in range(n)))
db.executemany("INSERT INTO subscriptions (id, contact_id, sku, locale, created_on) VALUES (?,?,?,?,?)",
               ((sid(i), cid(i), "SKU-%d" % (i % 5000), "sv-SE" if i % 2 else "en-US", when(i)) for i in range(n)))
db.commit()
print(uuid.UUID(bytes=cid(n // 2)), file=open("contact-id", "w"))
PY
echo "$(sqlite3 restock.db 'SELECT COUNT(*) FROM subscriptions') waiting subscriptions, $(sqlite3 restock.db 'SELECT COUNT(*) FROM demand WHERE waiting > 0') demand rows"
start
key="$(cat restock.key)"
id="$(cat contact-id)"
cookie="$(curl -s -D - -o /dev/null -X POST -d "apikey=$key" "http://127.0.0.1:$port/admin/login" | sed -n 's/^set-cookie: \([^;]*\).*/\1/ip')"
for page in /admin/demand "/admin/demand?offset=5000" "/admin/demand?skuPrefix=SKU-42" "/admin/demand?locale=sv-SE&minWaiting=100" /admin/demand.csv \
            "/admin/contacts?q=user$((n / 2))%40example.com" "/admin/contacts?q=$id" "/admin/contacts?q=user4242"; do
  best=""
  for _ in 1 2 3 4 5; do
    t="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "cookie: $cookie" "http://127.0.0.1:$port$page")"
    code="${t% *}"; secs="${t#* }"
    [ "$code" = 200 ] || { echo "$page answered $code"; exit 1; }
    best="$(python3 -c "print(min(float('$secs'), float('${best:-9e9}')))")"
  done
  printf '%-50s %8.1f ms\n' "$page" "$(python3 -c "print($best * 1000)")"
done
