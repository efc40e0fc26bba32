# Sourced by run.sh and pair.sh: the gateway configuration every benchmark measures.
#
# write_gateway_config OUT MOCK_URL SQLITE_PATH [KIND]: three tiers of one model each on the
# simulated upstream at MOCK_URL, the ledger in SQLITE_PATH, and no local embedding model. KIND is
# the provider's kind: openai (default; the upstream's /v1/chat/completions) or anthropic (its
# /v1/messages, so every call and answer is translated).
write_gateway_config() {
  cat >"$1" <<YAML
server: { host: 127.0.0.1, port: 0 }
tiers: [light, mid, premium]
providers:
  - { name: mock, kind: ${4:-openai}, base_url: "$2", timeout: 30s }
models:
  - { name: bench-light, provider: mock, upstream_model: sim-light, tier: light, price: { input: 0.15, output: 0.60 }, capabilities: [logprobs, json, tools, streaming] }
  - { name: bench-mid, provider: mock, upstream_model: sim-mid, tier: mid, price: { input: 0.40, output: 1.60 }, capabilities: [logprobs, json, tools, streaming] }
  - { name: bench-premium, provider: mock, upstream_model: sim-premium, tier: premium, price: { input: 2.50, output: 10.00 }, capabilities: [logprobs, json, tools, streaming] }
storage: { sqlite: "$3" }
# The routing gateway alone: without this, a MiniLM model in models/ would be loaded for
# /v1/embeddings and add its weights (about 95 MB) to every RSS figure.
embeddings: { model_path: "$(dirname "$3")/no-embedding-model" }
YAML
}
