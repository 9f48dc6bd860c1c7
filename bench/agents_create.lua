-- wrk script: POST /api/v1/agents with a name no other request of the run uses
-- (run start time, thread number, per-thread counter). The bearer token comes from -H.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local counter = 0
local prefix

function init(args)
  prefix = "bench-" .. os.time() .. "-" .. thread_number .. "-"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"name":"' .. prefix .. counter .. '","agent_type":"generic"}')
end
