-- wrk script: posts comments through the real form, one new visitor per request.
-- Each request reuses one of the forms bench/run.py fetched like a browser (CSRF cookie, the
-- form's CSRF token and its signed timestamp, older than the 3 s minimum), and comes from its
-- own address (X-Forwarded-For, trusted with TRUSTED_PROXY_COUNT=1) with its own email, so the
-- flood control (one post per address or email per 15 s) lets every one through.
-- Arguments after `--`: the path of the forms file (one "cookie\ttoken\ttimestamp" per line),
-- then the run's number (1, 2, ...): each run posts from addresses and emails of its own, so
-- a later run is neither a flood nor a duplicate of an earlier one.
dofile((debug.getinfo(1, "S").source:sub(2):gsub("post_comments.lua$", "report.lua")))

local forms = {}
local run = 1
local counter = 0
thread_number = 0  -- global: setup() sets it in each thread
local next_thread = 0

local original_setup = setup
function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)
  original_setup(thread)
end

local original_init = init
function init(args)
  for line in io.lines(args[1]) do
    local cookie, token, timestamp = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)")
    table.insert(forms, {cookie = cookie, token = token, timestamp = timestamp})
  end
  run = tonumber(args[2] or "1")
  original_init({"302"})
end

local function encode(value)
  return (value:gsub("[^%w%-_%.~]", function(char)
    return string.format("%%%02X", string.byte(char))
  end))
end

function request()
  counter = counter + 1
  local form = forms[(counter % #forms) + 1]
  local visitor = run * 100000000 + thread_number * 1000000 + counter
  local address = string.format("%d.%d.%d.%d", 9 + run, thread_number, math.floor(counter / 250) % 250 + 1, counter % 250 + 1)
  local body = table.concat({
    "csrfmiddlewaretoken=" .. encode(form.token),
    "rendered_at=" .. encode(form.timestamp),
    "website=",
    "author_name=" .. encode("Bench reader " .. visitor),
    "author_email=" .. encode("reader-" .. visitor .. "@example.com"),
    "body=" .. encode("Benchmark comment " .. visitor .. ": how much magnesium is in almonds?"),
  }, "&")
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = form.cookie,
    ["X-Forwarded-For"] = address,
  }, body)
end
