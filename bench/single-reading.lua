-- wrk script for `npm run bench -- ingest` (single reading): every request posts one reading for one node.
-- Request n (counted across threads) uses node n % #tokens and a ts unique per node, so no reading repeats.
-- Arguments after `--`: thread count, base ts (ms), then the nodes' tokens. done() prints one JSON line.
local counter = 0
tid = 0 -- set per thread by setup()
local nthreads = 1
local threads = 0
local tokens = {}
local base = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  nthreads = tonumber(args[1]); base = tonumber(args[2])
  for i = 3, #args do tokens[#tokens + 1] = args[i] end
end
function request()
  local n = counter * nthreads + tid
  counter = counter + 1
  local tok = tokens[(n % #tokens) + 1]
  local ts = base + math.floor(n / #tokens) * 1000
  local body = string.format('{"readings":[{"metric":"activity","ts":%d,"value":%d}]}', ts, n % 5000)
  return wrk.format("POST", nil, { ["Authorization"] = "Bearer " .. tok, ["Content-Type"] = "application/json" }, body)
end
function done(summary, latency, requests)
  io.write(string.format('{"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
