-- wrk script: non-streamed POST /api/v1/chat/messages, each request to the next agent of this
-- thread's half of the list (bench/chat.py writes the agent ids into the list), so with one
-- connection per agent each agent has about one turn at a time. The bearer token comes from -H.
local agents = {__AGENTS__}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local counter = 0
local first, count

function init(args)
  count = math.floor(#agents / 2)
  first = (thread_number - 1) * count
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local agent = agents[first + (counter % count) + 1]
  return wrk.format(nil, nil, nil, '{"target":"' .. agent .. '","content":"hello"}')
end
