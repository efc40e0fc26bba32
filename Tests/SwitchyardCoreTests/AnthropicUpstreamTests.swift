import Testing

@testable import SwitchyardCore

@Suite("Anthropic providers: chat requests as Messages requests, answers as chat completions")
struct AnthropicUpstreamTests {
    private func body(_ chat: String, stream: Bool = false) throws -> JSONObject {
        let object = try #require(try JSONParser.parse(chat).objectValue)
        return try AnthropicUpstreamRequest.body(fromChat: object, model: "claude-x", stream: stream, defaultMaxTokens: 4096)
    }

    @Test("system messages, turns, tools, tool calls and results, sampling and limits map to the Messages request")
    func request() throws {
        let messages = try body(#"""
            {"model":"auto","max_completion_tokens":300,"temperature":0.5,"stop":"END","user":"u-1","logprobs":true,"n":1,
             "messages":[{"role":"system","content":"Be brief."},{"role":"developer","content":[{"type":"text","text":"Use metric."}]},
               {"role":"user","content":"Weather in Oslo?"},{"role":"user","content":[{"type":"text","text":"And Bergen."},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}}]},
               {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]},
               {"role":"tool","tool_call_id":"c1","content":"4 C"},{"role":"user","content":"Thanks"}],
             "tools":[{"type":"function","function":{"name":"weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "tool_choice":"required","parallel_tool_calls":false}
            """#, stream: true)
        #expect(messages["model"] == "claude-x")
        #expect(messages["max_tokens"] == 300)
        #expect(messages["system"] == "Be brief.\n\nUse metric.")
        #expect(messages["temperature"] == 0.5)
        #expect(messages["stop_sequences"] == ["END"])
        #expect(messages["metadata"] == ["user_id": "u-1"])
        #expect(messages["stream"] == true)
        #expect(messages["logprobs"] == nil && messages["n"] == nil)
        #expect(messages["tools"] == [["name": "weather", "description": "d", "input_schema": ["type": "object", "properties": ["city": ["type": "string"]]]]])
        #expect(messages["tool_choice"] == ["type": "any", "disable_parallel_tool_use": true])
        #expect(messages["messages"] == [
            ["role": "user", "content": [
                ["type": "text", "text": "Weather in Oslo?"], ["type": "text", "text": "And Bergen."],
                ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBOR"]],
            ]],
            ["role": "assistant", "content": [["type": "tool_use", "id": "c1", "name": "weather", "input": ["city": "Oslo"]]]],
            ["role": "user", "content": [
                ["type": "tool_result", "tool_use_id": "c1", "content": "4 C"], ["type": "text", "text": "Thanks"],
            ]],
        ])
    }

    @Test("a request without a limit gets the default max_tokens; the chat and Messages translations round-trip")
    func roundTrip() throws {
        let anthropic = try JSONParser.parse(#"""
            {"model":"m","max_tokens":99,"system":"S","messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"},{"role":"user","content":"Q2"}]}
            """#)
        let chat = try AnthropicMessagesRequest(json: anthropic).chatBody
        let back = try AnthropicUpstreamRequest.body(fromChat: chat, model: "m", stream: false, defaultMaxTokens: 4096)
        #expect(back["max_tokens"] == 99 && back["system"] == "S")
        #expect(back["messages"] == [
            ["role": "user", "content": [["type": "text", "text": "Q"]]],
            ["role": "assistant", "content": [["type": "text", "text": "A"]]],
            ["role": "user", "content": [["type": "text", "text": "Q2"]]],
        ])
        #expect(try body(#"{"messages":[{"role":"user","content":"x"}]}"#)["max_tokens"] == 4096)
    }

    @Test("the client's Messages body is sent with the call's model and stream, and dropped once the request changes")
    func clientBody() throws {
        let text = #"{"model":"auto","max_tokens":9,"stream":true,"top_k":3,"metadata":{"switchyard.task":"chat","user_id":"u"},"messages":[{"role":"user","content":"x"}]}"#
        let messages = try AnthropicMessagesRequest(json: JSONParser.parse(Array(text.utf8)))
        #expect(JSONValue.object(messages.clientBody) == (try JSONParser.parse(Array(text.utf8))))
        let body = AnthropicUpstreamRequest.body(fromClientBody: messages.clientBody, model: "claude-x", stream: false)
        #expect(body["model"] == "claude-x" && body["stream"] == nil && body["top_k"] == 3 && body["metadata"] == ["user_id": "u"])
        #expect(AnthropicUpstreamRequest.body(fromClientBody: messages.clientBody, model: "m", stream: true)["stream"] == true)

        var request = try ChatCompletionRequest(json: .object(messages.chatBody))
        request.anthropicBody = messages.clientBody
        request.body["logprobs"] = true
        #expect(request.anthropicBody == nil)
    }

    @Test("content the Messages API cannot take is the caller's error, naming the part")
    func unsupported() throws {
        for chat in [
            #"{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}"#,
            #"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}"#,
        ] {
            #expect {
                _ = try body(chat)
            } throws: { error in
                guard case .badRequest(400, _, _, let param)? = error as? ProviderError else { return false }
                return param?.hasPrefix("messages[0].content[0]") == true
            }
        }
    }

    @Test("a message becomes a chat completion: text, tool calls, finish reason, usage with cached tokens")
    func answer() throws {
        let message = try JSONParser.parse(#"""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-x","stop_reason":"tool_use",
             "content":[{"type":"thinking","thinking":"…"},{"type":"text","text":"Checking."},{"type":"tool_use","id":"t1","name":"weather","input":{"city":"Oslo"}}],
             "usage":{"input_tokens":10,"cache_read_input_tokens":30,"cache_creation_input_tokens":5,"output_tokens":7}}
            """#)
        let completion = try #require(AnthropicUpstreamAnswer.chatCompletion(fromMessage: message, created: 1))
        #expect(completion["object"] == "chat.completion" && completion["id"] == "msg_1" && completion["model"] == "claude-x")
        let choice = try #require(completion["choices"]?.arrayValue?.first)
        #expect(choice["finish_reason"] == "tool_calls")
        #expect(choice["message"]?["content"] == "Checking.")
        #expect(choice["message"]?["tool_calls"] == [["id": "t1", "type": "function", "function": ["name": "weather", "arguments": #"{"city":"Oslo"}"#]]])
        let usage = try #require(TokenUsage(openAIUsage: completion["usage"]))
        #expect(usage.promptTokens == 45 && usage.completionTokens == 7 && usage.cachedPromptTokens == 30)
        #expect(AnthropicUpstreamAnswer.chatCompletion(fromMessage: ["type": "error"], created: 1) == nil)
        #expect(AnthropicUpstreamAnswer.finishReason(fromStopReason: "end_turn") == "stop")
        #expect(AnthropicUpstreamAnswer.finishReason(fromStopReason: "max_tokens") == "length")
    }

    @Test("a Messages stream reads as chat chunks, ending in a usage chunk; the round trip keeps text and tool calls")
    func stream() throws {
        // A chat stream, turned into Anthropic's events and back.
        let chatChunks = [
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"content":"lo"}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t1","function":{"name":"f","arguments":"{\"a\":"}}]}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            #"{"id":"c1","model":"sim","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5}}"#,
            "[DONE]",
        ]
        var translator = AnthropicStreamTranslator()
        var bytes: [UInt8] = []
        for chunk in chatChunks { translator.translate(ServerSentEvent(data: chunk), into: &bytes) }
        var parser = ServerSentEventParser()
        var reader = AnthropicUpstreamStreamReader(created: 7)
        var chunks: [JSONValue] = []
        for event in try parser.feed(bytes) { chunks += try reader.chunks(for: event) }
        #expect(reader.ended)
        #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" && $0["id"] == "msg_c1" && $0["model"] == "sim" })
        let deltas = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"] }
        #expect(deltas.first?["role"] == "assistant")
        #expect(deltas.compactMap { $0["content"]?.stringValue }.joined() == "Hello")
        let calls = deltas.flatMap { $0["tool_calls"]?.arrayValue ?? [] }
        #expect(calls.first?["id"] == "t1" && calls.first?["function"]?["name"] == "f")
        #expect(calls.compactMap { $0["function"]?["arguments"]?.stringValue }.joined() == #"{"a":1}"#)
        #expect(chunks.compactMap { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue } == ["tool_calls"])
        let usage = try #require(chunks.last)
        #expect(usage["choices"] == .array([]))
        #expect(TokenUsage(openAIUsage: usage["usage"])?.completionTokens == 5)
        #expect(TokenUsage(openAIUsage: usage["usage"])?.promptTokens == 12)
    }

    @Test("thinking survives the trip through a chat completion: blocks and signatures, plain and streamed")
    func thinking() throws {
        let message = try JSONParser.parse(#"""
            {"id":"msg_t","type":"message","role":"assistant","model":"claude-x","stop_reason":"tool_use",
             "content":[{"type":"thinking","thinking":"Let me think.","signature":"sig-1"},{"type":"redacted_thinking","data":"opaque"},
               {"type":"text","text":"Checking."},{"type":"tool_use","id":"t1","name":"f","input":{"a":1}}],
             "usage":{"input_tokens":5,"output_tokens":9}}
            """#)
        let completion = try #require(AnthropicUpstreamAnswer.chatCompletion(fromMessage: message, created: 1))
        let reply = completion["choices"]?.arrayValue?.first?["message"]
        #expect(reply?["reasoning_content"] == "Let me think.")
        #expect(reply?["thinking_blocks"]?.arrayValue?.count == 2)
        let back = AnthropicMessage.message(fromChatCompletionBytes: JSONWriter.bytes(completion))
        #expect(back["content"] == message["content"])
        // A chat request that sends the turn back gives Anthropic the blocks first.
        let chat = try #require(try JSONParser.parse(#"{"messages":[{"role":"user","content":"x"}]}"#).objectValue)
        var turn = chat
        turn["messages"] = .array([["role": "user", "content": "x"], reply ?? .null])
        let request = try AnthropicUpstreamRequest.body(fromChat: turn, model: "m", stream: false, defaultMaxTokens: 1)
        #expect(request["messages"]?.arrayValue?.last?["content"]?.arrayValue?.prefix(2).map { $0 } == message["content"]?.arrayValue?.prefix(2).map { $0 })

        // The same answer streamed by Anthropic, read as chat chunks and written back as events.
        let stream = [
            ("message_start", #"{"type":"message_start","message":{"id":"msg_t","model":"claude-x","usage":{"input_tokens":5}}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think."}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig-1"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"opaque"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            ("content_block_start", #"{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Checking."}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":2}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ]
        var reader = AnthropicUpstreamStreamReader(created: 1)
        var translator = AnthropicStreamTranslator()
        var bytes: [UInt8] = []
        for (name, data) in stream {
            for chunk in try reader.chunks(for: ServerSentEvent(event: name, data: data)) {
                translator.translate(ServerSentEvent(data: JSONWriter.string(chunk)), into: &bytes)
            }
        }
        translator.translate(ServerSentEvent(data: "[DONE]"), into: &bytes)
        var parser = ServerSentEventParser()
        let events = try parser.feed(bytes).map { ($0.event ?? "", try JSONParser.parse($0.data)) }
        #expect(events.map(\.0) == stream.map(\.0))
        for ((_, sent), (name, received)) in zip(stream, events) where name.hasPrefix("content_block") {
            #expect(received == (try JSONParser.parse(sent)), "\(name)")
        }
    }

    @Test("text deltas are written as chat chunks without a tree: the chunks the parsed path gives")
    func textDeltasInPlace() throws {
        let stream = [
            ("message_start", #"{"type":"message_start","message":{"id":"msg_\"q\"","model":"claude-x","usage":{"input_tokens":5}}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#),
            ("content_block_delta", #"{ "delta" : { "text" : "lo \u00e9\n\"x\"", "type" : "text_delta" }, "index" : 0, "type" : "content_block_delta" }"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ]
        var parsed = AnthropicUpstreamStreamReader(created: 3), inPlace = AnthropicUpstreamStreamReader(created: 3)
        var expected: [JSONValue] = [], actual: [JSONValue] = []
        var written = 0
        for (name, data) in stream {
            let event = ServerSentEvent(event: name, data: data)
            expected += try parsed.chunks(for: event)
            var bytes = data
            if let text = bytes.withUTF8({ inPlace.textChunk(forData: $0) }) {
                actual.append(try JSONParser.parse(text))
                written += 1
            } else {
                actual += try inPlace.chunks(for: event)
            }
        }
        #expect(actual == expected)
        #expect(written == 3, "the three text deltas in the form")
        // Before message_start there is nothing to write a chunk with.
        let fresh = AnthropicUpstreamStreamReader(created: 0)
        var delta = stream[2].1
        #expect(delta.withUTF8 { fresh.textChunk(forData: $0) } == nil)
        for text in ["[1]", "{", #"{"type":"content_block_delta","delta":{"type":"text_delta","text":1}}"#,
                     #"{"type":"content_block_delta","delta":{"type":"text_delta","text":"x","extra":1}}"#,
                     #"{"type":"content_block_delta","type":"x","delta":{"type":"text_delta","text":"x"}}"#] {
            var bytes = text
            #expect(bytes.withUTF8 { JSONParser.scanTextDeltaEvent($0) } == nil, "\(text)")
        }
    }

    @Test("an error event is the provider's error, classified")
    func errorEvent() throws {
        var reader = AnthropicUpstreamStreamReader(created: 0)
        #expect {
            _ = try reader.chunks(for: ServerSentEvent(event: "error", data: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#))
        } throws: { error in
            guard case .serverError(529, "Overloaded")? = error as? ProviderError else { return false }
            return true
        }
        #expect(try reader.chunks(for: ServerSentEvent(event: "ping", data: #"{"type":"ping"}"#)).isEmpty)
    }
}
