-- wrk script for load.sh and soak.sh: cycles through every read route of system-managerd
-- (and, when CONTROL_EVERY > 0, a restart of the demo's `standby` service every that many
-- requests), counting answers by status class. Keep-alive connections throughout.
local paths = {
  "/", "/healthz", "/containers", "/containers/demo/services",
  "/containers/demo/services/status", "/containers/demo/services/web/status",
  "/containers/demo/services/chatter/logs?tail=20", "/containers/demo/services/web/run",
  "/docker/containers", "/openapi.json",
}
local control_every = tonumber(os.getenv("CONTROL_EVERY") or "0")
local token = os.getenv("BENCH_TOKEN")
local counter = 0
statuses = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
end

function request()
  counter = counter + 1
  if control_every > 0 and counter % control_every == 0 then
    return wrk.format("POST", "/containers/demo/services/standby",
      {["Content-Type"] = "application/json"}, '{"action":"restart"}')
  end
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses") or {}
    for k, v in pairs(s) do totals[k] = (totals[k] or 0) + v end
  end
  local line = "statuses:"
  for k, v in pairs(totals) do line = line .. " " .. k .. "=" .. v end
  io.write(line .. "\n")
  local e = summary.errors
  io.write(string.format("socket errors: connect=%d read=%d write=%d timeout=%d status=%d\n",
    e.connect, e.read, e.write, e.timeout, e.status))
end
