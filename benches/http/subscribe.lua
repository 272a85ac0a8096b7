-- wrk script: POST /api/v3/inventory/backinstock/subscriptions, a new subscription per request.
-- Usage: CONTACTS=<file of contact ids> KEY=<api key> wrk -t2 -c32 -d20s -s subscribe.lua http://127.0.0.1:8080
local contacts = {}
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("CONTACTS")) do table.insert(contacts, line) end
  wrk.method = "POST"
  wrk.path = "/api/v3/inventory/backinstock/subscriptions"
  wrk.headers["apikey"] = os.getenv("KEY")
  wrk.headers["content-type"] = "application/json"
end

function request()
  counter = counter + 1
  local contact = contacts[(counter % #contacts) + 1]
  local body = string.format('{"contactId":"%s","sku":"SKU-%d-%d","locale":"sv-SE"}', contact, id, counter)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 201 then print("unexpected status " .. status .. ": " .. body) end
end
