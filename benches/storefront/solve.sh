#!/usr/bin/env bash
# The widget's proof of work in headless Chromium (Debian's chromium): the shipped code,
# cut from src/storefront/assets/widget.js between its "proof of work (begin/end)"
# markers, solves 50 challenges shaped like the server's (difficulty 14 unless
# DIFFICULTY is set) one after the other; prints the median and p95 solve time. The
# widget runs the same search in 10 ms slices between the page's own work.
#   bash benches/storefront/solve.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
difficulty=${DIFFICULTY:-14}
chromium=${CHROMIUM:-/usr/bin/chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo '<!doctype html><html><body><pre id="out">not run</pre><script>'
  echo '(function () {'
  awk '/proof of work \(begin\)/,/proof of work \(end\)/' "$root/src/storefront/assets/widget.js"
  cat <<JS
  var times = [], hashes = [], alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  function random(n) { var s = ''; for (var i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * 64)]; return s; }
  for (var run = 0; run < 50; run++) {
    // v1.<expiry ms>.<difficulty>.<16-byte nonce>.<32-byte MAC>, base64url: as issued.
    var challenge = 'v1.' + (Date.now() + 300000) + '.$difficulty.' + random(22) + '.' + random(43);
    var hash = powHasher(new TextEncoder().encode(challenge + ':')), n = 0;
    var t = performance.now();
    while (zeroBits(hash(n)) < $difficulty) n++;
    times.push(performance.now() - t);
    hashes.push(n + 1);
  }
  function pick(xs, q) { var s = xs.slice().sort(function (a, b) { return a - b; }); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; }
  document.getElementById('out').textContent = 'difficulty $difficulty, 50 challenges: median ' +
    pick(times, 0.5).toFixed(1) + ' ms, p95 ' + pick(times, 0.95).toFixed(1) + ' ms, max ' +
    pick(times, 1).toFixed(1) + ' ms; hashes median ' + pick(hashes, 0.5) + ', p95 ' + pick(hashes, 0.95);
JS
  echo '})();</script></body></html>'
} >"$work/solve.html"
"$chromium" --headless=new --no-sandbox --disable-gpu --dump-dom "file://$work/solve.html" 2>/dev/null \
  | sed -n 's/.*<pre id="out">\(.*\)<\/pre>.*/\1/p'
