-- wrk script: counts responses by status and prints one JSON line for bench/run.py to read.
-- Arguments after `--`: the status code that counts as success (200 unless given).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1] or "200")
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local expected_code = threads[1]:get("expected")
  local parts = {}
  local unexpected = 0
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, count))
    if status ~= expected_code then unexpected = unexpected + count end
  end
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "unexpected_status": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    socket_errors, unexpected, table.concat(parts, ", ")))
end
