-- wrk script: POST a chat completion. BODY_MODEL / BODY_STREAM come from the environment.
local model = os.getenv("BODY_MODEL") or "auto"
local stream = os.getenv("BODY_STREAM") or "false"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. model .. '","stream":' .. stream ..
  ',"messages":[{"role":"user","content":"Summarize this email in one sentence: the quarterly review moved to Thursday at 10am, bring the updated budget numbers."}]}'

-- Every failed request (HTTP status >= 400, connect/read/write errors, timeouts), so the caller can
-- assert zero client-visible failures.
function done(summary, latency, requests)
  io.write(string.format("client_failures=%d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
