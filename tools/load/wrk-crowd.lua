-- One phase of `npx flashsale bench` for wrk: POST {"quantity":1} to the URL wrk was given, as
-- a crowd of distinct signed buyers (one bearer token a line in WRK_TOKENS; the bench writes
-- that file). Each thread takes every threads-th token, so the crowd is spread, not copied.
--
--   WRK_TOKENS=/tmp/tokens WRK_THREADS=1 WRK_IDEMPOTENCY=true wrk -t1 -c64 -d10s -s tools/load/wrk-crowd.lua URL
--
-- WRK_IDEMPOTENCY=true adds a fresh Idempotency-Key to every request (as the storefront sends).
--
-- WRK_RATE=N turns the closed model (each connection sends as soon as it is answered) into an
-- open one: every connection sends on a fixed schedule of N / connections requests a second,
-- and a request's latency is measured from the moment the schedule meant it to be sent, not
-- from when a slow server let the connection send it (the correction for coordinated
-- omission that wrk2 makes; Debian's wrk has no -R). Run it with one connection per thread
-- (-tN -cN): the thread's script then sees its connection's requests strictly in turn.
--
-- done() prints one line, "flashsale-wrk <json>", which tools/src/bench/wrk-run.ts reads.
local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } flashsale_timespec;
  int clock_gettime(int clock, flashsale_timespec *ts);
]])
local clock = ffi.new("flashsale_timespec")
local function nowUs()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end

-- setup() and done() run in a state of their own; setup() numbers the threads by setting the
-- global threadId in each one's state. wrk starts a thread as soon as it is set up, before it
-- sets up the next, so the number of threads comes from WRK_THREADS (wrk's -t), not setup().
local threads = {}
threadCount = assert(tonumber(os.getenv("WRK_THREADS") or ""), "WRK_THREADS is not set (wrk's -t)")

function setup(thread)
  thread:set("threadId", #threads)
  table.insert(threads, thread)
end

local body = '{"quantity":1}'
local heads = {}
local keyed = os.getenv("WRK_IDEMPOTENCY") == "true"
local rate = tonumber(os.getenv("WRK_RATE") or "")
local counter = 0
local interval -- microseconds between two sends of this thread's connection (open model)
local firstAt
local intended
local sentAt
-- Globals read by done() through thread:get().
latencies = {}
statuses = {}

-- wrk calls init() before setup() has numbered the threads, so each thread takes its share
-- of the crowd on its first request instead.
local function takeShare()
  -- wrk also calls request() once before setup(), to check the request is well formed.
  local count, id = threadId and threadCount or 1, threadId or 0
  local file = assert(io.open(assert(os.getenv("WRK_TOKENS"), "WRK_TOKENS is not set"), "r"))
  local index = 0
  for token in file:lines() do
    if index % count == id and token ~= "" then
      heads[#heads + 1] = "POST " .. wrk.path .. " HTTP/1.1\r\nHost: " .. wrk.host
        .. "\r\nAuthorization: Bearer " .. token
        .. "\r\nContent-Type: application/json\r\nContent-Length: " .. #body .. "\r\n"
    end
    index = index + 1
  end
  file:close()
  assert(#heads > 0, "WRK_TOKENS has fewer tokens than wrk has threads")
  if rate then interval = 1e6 * threadCount / rate end
  if threadId == nil then
    local probe = heads[1]
    heads = {}
    return probe
  end
end

function init(args)
  if not rate then
    -- Without a schedule there is nothing to time: wrk then skips parsing answers for Lua.
    response = nil
    delay = nil
  end
end

function delay()
  if interval == nil then takeShare() end
  local now = nowUs()
  firstAt = firstAt or now
  intended = firstAt + counter * interval
  local wait = math.floor((intended - now) / 1000)
  return wait > 0 and wait or 0
end

function request()
  if #heads == 0 then
    local probe = takeShare()
    if probe then return probe .. "\r\n" .. body end
  end
  counter = counter + 1
  sentAt = nowUs()
  local head = heads[(counter - 1) % #heads + 1]
  if keyed then
    return head .. "Idempotency-Key: w" .. threadId .. "-" .. counter .. "\r\n\r\n" .. body
  end
  return head .. "\r\n" .. body
end

function response(status)
  -- Sent late (the server held the connection): count from when it was due. Sent early (the
  -- timer's millisecond rounding): count from when it went.
  local from = math.min(intended or sentAt, sentAt)
  latencies[#latencies + 1] = math.floor(nowUs() - from)
  statuses[status] = (statuses[status] or 0) + 1
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

local function jsonObject(entries)
  local parts = {}
  for name, value in pairs(entries) do
    parts[#parts + 1] = string.format('"%s":%s', tostring(name), tostring(value))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency)
  local merged = {}
  local counts = {}
  for _, thread in ipairs(threads) do
    for _, value in ipairs(thread:get("latencies") or {}) do merged[#merged + 1] = value end
    for status, count in pairs(thread:get("statuses") or {}) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  table.sort(merged)
  local corrected = #merged > 0
  local function p(value)
    if corrected then return percentile(merged, value) end
    return latency:percentile(value)
  end
  local e = summary.errors
  io.write("flashsale-wrk ", jsonObject({
    requests = summary.requests,
    durationUs = summary.duration,
    errors = jsonObject({
      connect = e.connect, read = e.read, write = e.write, status = e.status, timeout = e.timeout,
    }),
    statuses = jsonObject(counts),
    corrected = tostring(corrected),
    latencyUs = jsonObject({ p50 = p(50), p90 = p(90), p99 = p(99), p999 = p(99.9) }),
  }), "\n")
end
