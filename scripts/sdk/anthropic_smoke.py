"""Drives a live Switchyard gateway's /v1/messages with the official Anthropic Python SDK.

Usage: python anthropic_smoke.py BASE_URL MODEL
BASE_URL is the gateway's root (the SDK adds /v1/messages). Checks a message with the gateway's
headers, a stream read with the SDK's helpers, a request with a tool definition and tool
results, the model list, that an unknown model raises anthropic.NotFoundError and that a bad request raises
anthropic.BadRequestError. Prints 'anthropic-sdk: N passed, 0 failed' on success and exits non-zero otherwise.
"""

import sys

import anthropic

from checks import Checks


def main() -> int:
    base_url, model = sys.argv[1], sys.argv[2]
    client = anthropic.Anthropic(base_url=base_url, api_key="sk-switchyard-test", max_retries=0, timeout=30)
    checks = Checks("anthropic-sdk")
    check = checks.check

    # 1. A message, with the gateway's headers.
    raw = client.messages.with_raw_response.create(
        model=model,
        max_tokens=200,
        system="Answer in one sentence.",
        messages=[{"role": "user", "content": "Summarize: the meeting moved to Tuesday."}],
    )
    message = raw.parse()
    check(
        "message",
        message.type == "message"
        and message.role == "assistant"
        and message.content[0].type == "text"
        and message.content[0].text
        and message.stop_reason in ("end_turn", "max_tokens")
        and message.usage.input_tokens > 0
        and message.usage.output_tokens > 0
        and raw.headers.get("x-switchyard-model") == model
        and float(raw.headers.get("x-switchyard-cost-usd", "-1")) > 0,
        repr(message),
    )

    # 2. A stream, through the SDK's event accumulation.
    with client.messages.stream(
        model=model, max_tokens=100, messages=[{"role": "user", "content": [{"type": "text", "text": "Say hello"}]}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    check(
        "stream",
        text
        and final.content[0].text == text
        and final.stop_reason in ("end_turn", "max_tokens")
        and final.usage.output_tokens > 0
        and final.usage.input_tokens > 0,
        f"text={text!r} final={final!r}",
    )

    # 3. Tools and a tool result: accepted, answered.
    weather = {
        "name": "get_weather",
        "description": "The weather in a city.",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
    answer = client.messages.create(
        model=model,
        max_tokens=100,
        tools=[weather],
        tool_choice={"type": "auto"},
        messages=[
            {"role": "user", "content": "What is the weather in Oslo?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "4 degrees, rain"}]},
        ],
    )
    check("tools and tool results", answer.content and answer.usage.output_tokens > 0, repr(answer))

    # 4. The model list, in the SDK's shape.
    listed = [model.id for model in client.models.list()]
    check("models list", model in listed and "auto" in listed, repr(listed))

    # 5. An unknown model raises NotFoundError.
    try:
        client.messages.create(model="no-such-model", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
        check("unknown model raises NotFoundError", False, "no exception")
    except anthropic.NotFoundError as error:
        check("unknown model raises NotFoundError", error.status_code == 404 and "no-such-model" in str(error), str(error))

    # 6. A request the API refuses raises BadRequestError, naming the field.
    try:
        client.messages.create(model=model, max_tokens=10, messages=[])
        check("empty messages raise BadRequestError", False, "no exception")
    except anthropic.BadRequestError as error:
        check("empty messages raise BadRequestError", error.status_code == 400 and "messages" in str(error), str(error))

    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
