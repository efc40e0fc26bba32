-- wrk script for scripts/bench/run.sh: POST one chat completion per request and report
-- machine-readable results. The environment sets the body:
--   BODY_MODEL   model name (default "auto")
--   BODY_STREAM  "true" or "false" (default "false"); streams ask for usage like SDKs do
--   BODY_WIRE    "chat" (default): an OpenAI chat-completions body, for /v1/chat/completions;
--                "messages": the same request as an Anthropic Messages body, for /v1/messages
-- done() prints one line: "bench requests=N duration_us=N errors=N non2xx=N p50_us=… p90_us=… p99_us=… mean_us=… max_us=…"
local model = os.getenv("BODY_MODEL") or "auto"
local stream = os.getenv("BODY_STREAM") or "false"
local wire = os.getenv("BODY_WIRE") or "chat"
local prompt = "Summarize this email in one sentence: the quarterly review moved to Thursday at 10am, bring the updated budget numbers."

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if wire == "messages" then
  wrk.headers["anthropic-version"] = "2023-06-01"
  wrk.body = '{"model":"' .. model .. '","max_tokens":256,"stream":' .. stream ..
    ',"messages":[{"role":"user","content":"' .. prompt .. '"}]}'
else
  local options = ""
  if stream == "true" then options = ',"stream_options":{"include_usage":true}' end
  wrk.body = '{"model":"' .. model .. '","stream":' .. stream .. options ..
    ',"messages":[{"role":"user","content":"' .. prompt .. '"}]}'
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "bench requests=%d duration_us=%d errors=%d non2xx=%d p50_us=%d p90_us=%d p99_us=%d mean_us=%.1f max_us=%d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
