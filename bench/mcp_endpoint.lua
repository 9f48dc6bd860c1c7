-- wrk script: POST /api/v1/mcp `tools/call list_agents` in one MCP session that
-- bench/mcp_endpoint.py opened first (it writes the session id in); the bearer token comes
-- from -H. Each request has its own JSON-RPC id.
local session = "__SESSION__"
local counter = 0

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  wrk.headers["Mcp-Session-Id"] = session
  wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"jsonrpc":"2.0","id":' .. counter ..
    ',"method":"tools/call","params":{"name":"list_agents","arguments":{"limit":20}}}')
end
