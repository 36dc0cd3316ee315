-- wrk script of the submission benchmark (tests/bench/bench_submit.py runs it when wrk is installed).
--
--   wrk -t1 -c4 -d20s -s tests/bench/submit_wrk.lua http://127.0.0.1:PORT/s/TOKEN/ -- BODIES_FILE
--
-- BODIES_FILE holds one url-encoded POST body per line, each with its own signed form token (so its own
-- submission key), fetched through the page before the clock started. Every request sends the next body
-- once: a body sent twice would be a double post, thanked but stored once, and would read as a lost
-- response. When the bodies run out, the connections only GET the page till the time is up (stopping would drop
-- the answers still in flight on the other connections, stored but not counted), and done() says so; a third
-- argument "cycle" lets them be sent again instead (the no-application floor, which stores nothing). done()
-- prints one JSON line for the bench.

local bodies, next_body = {}, 0
-- Globals, so that done() can read each thread's with thread:get().
accepted, failed, exhausted = 0, 0, 0
local threads, cycle = {}, false

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- With several threads, thread n takes lines n, n + count, ...: no body is sent by two of them.
  local count, line_number = tonumber(args[2] or "1"), 0
  cycle = args[3] == "cycle"
  for line in io.lines(args[1]) do
    if line_number % count == id then
      table.insert(bodies, line)
    end
    line_number = line_number + 1
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Accept-Language"] = "ko"
end

-- wrk calls this once before the threads start, to check the request it makes: that body is never sent (and
-- never counted).
function request()
  next_body = next_body + 1
  if cycle and next_body > #bodies then
    next_body = 1
  end
  local body = bodies[next_body]
  if body == nil then
    exhausted = 1
    return wrk.format("GET")
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 200 and body:find("survey-thanks", 1, true) then
    accepted = accepted + 1
  elseif next_body <= #bodies then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local total_accepted, total_failed, any_exhausted = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_accepted = total_accepted + thread:get("accepted")
    total_failed = total_failed + thread:get("failed")
    any_exhausted = math.max(any_exhausted, thread:get("exhausted"))
  end
  local errors = summary.errors
  io.write(string.format(
    '{"accepted": %d, "failed": %d, "exhausted": %d, "elapsed_s": %.3f, "post_p50_ms": %.2f, '
      .. '"post_p95_ms": %.2f, "post_p99_ms": %.2f, "socket_errors": %d}\n',
    total_accepted, total_failed, any_exhausted, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout))
end
