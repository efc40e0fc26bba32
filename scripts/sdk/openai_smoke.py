"""Drives a live Switchyard gateway with the official OpenAI Python SDK.

Usage: python openai_smoke.py BASE_URL MODEL
Checks a chat completion, a stream (with usage), and that an unknown model raises
openai.NotFoundError. Prints '3 passed, 0 failed' on success and exits non-zero otherwise.
"""

import sys

import openai

from checks import Checks


def main() -> int:
    base_url, model = sys.argv[1], sys.argv[2]
    client = openai.OpenAI(base_url=base_url, api_key="sk-switchyard-test", max_retries=0, timeout=30)
    checks = Checks("openai-sdk")
    check = checks.check

    # 1. A plain chat completion, with the gateway's headers.
    raw = client.chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": "Summarize: the meeting moved to Tuesday."}]
    )
    completion = raw.parse()
    check(
        "chat completion",
        completion.choices[0].message.content
        and completion.usage.total_tokens > 0
        and raw.headers.get("x-switchyard-model") == model
        and float(raw.headers.get("x-switchyard-cost-usd", "-1")) > 0,
        repr(completion),
    )

    # 2. A stream with usage.
    text, usage, chunks = "", None, 0
    for chunk in client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Say hello"}],
        stream=True,
        stream_options={"include_usage": True},
    ):
        chunks += 1
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.usage:
            usage = chunk.usage
    check("stream", text and usage is not None and usage.completion_tokens > 0 and chunks > 2, f"{chunks} chunks, usage={usage}")

    # 3. An unknown model raises NotFoundError.
    try:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
        check("unknown model raises NotFoundError", False, "no exception")
    except openai.NotFoundError as error:
        check("unknown model raises NotFoundError", error.status_code == 404 and "no-such-model" in str(error))

    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
