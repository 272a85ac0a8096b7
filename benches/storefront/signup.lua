-- wrk script: POST /storefront/subscriptions, one prepared sign-up (its own address and
-- an unused, solved proof) per request; the thread's share of BODIES, never one twice.
-- Usage: BODIES=<file, one JSON body per line> wrk -t2 -c32 -d15s -s signup.lua http://127.0.0.1:8080
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

local bodies = {}
local next_body = 0
local refused = 0

function init(args)
  local n = 0
  for line in io.lines(os.getenv("BODIES")) do
    if n % 2 == id then table.insert(bodies, line) end
    n = n + 1
  end
  wrk.method = "POST"
  wrk.path = "/storefront/subscriptions"
  wrk.headers["content-type"] = "application/json"
end

function request()
  next_body = next_body + 1
  if next_body > #bodies then
    -- Out of prepared sign-ups: the run was longer than the file.
    wrk.thread:stop()
  end
  return wrk.format(nil, nil, nil, bodies[next_body])
end

function response(status, headers, body)
  if status ~= 202 then
    refused = refused + 1
    if refused <= 5 then print("unexpected status " .. status .. ": " .. body) end
  end
end
