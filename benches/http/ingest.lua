-- wrk script: PUT /api/v3/inventory/stock-levels with 1,000-item batches.
-- Usage: KEY=<api key> wrk -t2 -c8 -d20s -s ingest.lua http://127.0.0.1:8080
local body

function init(args)
  local items = {}
  for i = 1, 1000 do
    items[i] = string.format('{"sku":"SKU-%d","quantity":%d,"locale":"sv-SE","externalId":"SE-SKU-%d"}', i, i % 50, i)
  end
  body = "[" .. table.concat(items, ",") .. "]"
  wrk.method = "PUT"
  wrk.path = "/api/v3/inventory/stock-levels"
  wrk.headers["apikey"] = os.getenv("KEY")
  wrk.headers["content-type"] = "application/json"
  wrk.body = body
end

function response(status, headers, body)
  if status ~= 202 then print("unexpected status " .. status .. ": " .. body) end
end

function done(summary, latency, requests)
  io.write(string.format("stock levels per second: %.0f\n", summary.requests / (summary.duration / 1e6) * 1000))
end
