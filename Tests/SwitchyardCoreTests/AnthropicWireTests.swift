import Testing

@testable import SwitchyardCore

@Suite("Anthropic Messages: requests read as chat completions")
struct AnthropicMessagesRequestTests {
    private func translate(_ text: String) throws -> AnthropicMessagesRequest {
        try AnthropicMessagesRequest(json: JSONParser.parse(text))
    }

    private func error(_ text: String) -> GatewayError? {
        do {
            _ = try translate(text)
            return nil
        } catch let error as GatewayError {
            return error
        } catch {
            return nil
        }
    }

    @Test("system, text blocks, sampling, stop sequences and the user id map to their chat fields")
    func plainFields() throws {
        let request = try translate(#"""
            {"model":"auto","max_tokens":64,"system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Be kind."}],
             "temperature":0.2,"top_p":0.9,"top_k":5,"stop_sequences":["END"],
             "metadata":{"user_id":"u-1","switchyard":{"labels":["a","b"]},"switchyard.task":"summarize","team":"x"},
             "messages":[{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"there"}]},
                         {"role":"assistant","content":"Hello."},{"role":"user","content":"Summarize this."}]}
            """#)
        let body = request.chatBody
        #expect(request.model == "auto" && !request.stream)
        #expect(body["model"] == "auto")
        #expect(body["max_tokens"] == 64)
        #expect(body["temperature"] == 0.2 && body["top_p"] == 0.9)
        #expect(body["top_k"] == nil)
        #expect(body["stop"] == ["END"])
        #expect(body["user"] == "u-1")
        #expect(body["metadata"] == ["switchyard": ["labels": ["a", "b"]], "switchyard.task": "summarize"])
        #expect(body["messages"] == [
            ["role": "system", "content": "Be brief.\n\nBe kind."],
            ["role": "user", "content": "Hi\n\nthere"],
            ["role": "assistant", "content": "Hello."],
            ["role": "user", "content": "Summarize this."],
        ])
        // What routing reads comes through.
        let chat = try ChatCompletionRequest(json: .object(body))
        #expect(chat.messages.last == ChatMessage(role: "user", text: "Summarize this."))
        #expect(chat.maxOutputTokens == 64)
    }

    @Test("a stream asks for usage, so the last event can carry it")
    func stream() throws {
        let request = try translate(#"{"model":"m","max_tokens":1,"stream":true,"messages":[{"role":"user","content":"x"}]}"#)
        #expect(request.stream)
        #expect(request.chatBody["stream"] == true)
        #expect(request.chatBody["stream_options"] == ["include_usage": true])
    }

    @Test("images become image_url parts beside the text")
    func images() throws {
        let request = try translate(#"""
            {"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
              {"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}},
              {"type":"text","text":"What is this?"}]}]}
            """#)
        #expect(request.chatBody["messages"] == [[
            "role": "user",
            "content": [
                ["type": "image_url", "image_url": ["url": "data:image/png;base64,iVBOR"]],
                ["type": "image_url", "image_url": ["url": "https://example.com/a.jpg"]],
                ["type": "text", "text": "What is this?"],
            ],
        ]])
    }

    @Test("tool use and tool results become tool calls and tool messages, in the order chat completions need")
    func toolTurns() throws {
        let request = try translate(#"""
            {"model":"m","max_tokens":1,"messages":[
              {"role":"user","content":"Weather in Oslo and Bergen?"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"…","signature":"s"},{"type":"text","text":"Checking."},
                {"type":"tool_use","id":"t1","name":"weather","input":{"city":"Oslo"}},{"type":"tool_use","id":"t2","name":"weather","input":{"city":"Bergen"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"4 C"},
                {"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"no data"}],"is_error":true},
                {"type":"text","text":"And tomorrow?"}]}]}
            """#)
        #expect(request.chatBody["messages"] == [
            ["role": "user", "content": "Weather in Oslo and Bergen?"],
            [
                "role": "assistant", "content": "Checking.",
                "tool_calls": [
                    ["id": "t1", "type": "function", "function": ["name": "weather", "arguments": #"{"city":"Oslo"}"#]],
                    ["id": "t2", "type": "function", "function": ["name": "weather", "arguments": #"{"city":"Bergen"}"#]],
                ],
            ],
            ["role": "tool", "tool_call_id": "t1", "content": "4 C"],
            ["role": "tool", "tool_call_id": "t2", "content": "Error: no data"],
            ["role": "user", "content": "And tomorrow?"],
        ])
    }

    @Test("an assistant turn of tool calls alone has null content")
    func toolCallsAlone() throws {
        let request = try translate(#"""
            {"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},
              {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"}]}]}
            """#)
        let messages = try #require(request.chatBody["messages"]?.arrayValue)
        #expect(messages.count == 3)
        #expect(messages[1]["content"] == .null)
        #expect(messages[2] == ["role": "tool", "tool_call_id": "t1", "content": ""])
    }

    @Test("tools and every tool_choice map to function tools")
    func tools() throws {
        let tools = #"[{"name":"f","description":"d","input_schema":{"type":"object","properties":{}}}]"#
        func body(_ choice: String) throws -> JSONObject {
            try translate(#"{"model":"m","max_tokens":1,"tools":\#(tools),"tool_choice":\#(choice),"messages":[{"role":"user","content":"x"}]}"#).chatBody
        }
        let auto = try body(#"{"type":"auto"}"#)
        #expect(auto["tools"] == [["type": "function", "function": ["name": "f", "description": "d", "parameters": ["type": "object", "properties": [:]]]]])
        #expect(auto["tool_choice"] == "auto")
        #expect(auto["parallel_tool_calls"] == nil)
        #expect(try body(#"{"type":"any","disable_parallel_tool_use":true}"#)["tool_choice"] == "required")
        #expect(try body(#"{"type":"any","disable_parallel_tool_use":true}"#)["parallel_tool_calls"] == false)
        #expect(try body(#"{"type":"none"}"#)["tool_choice"] == "none")
        #expect(try body(#"{"type":"tool","name":"f"}"#)["tool_choice"] == ["type": "function", "function": ["name": "f"]])
    }

    @Test("bad requests are refused with the field named")
    func errors() {
        let cases: [(String, String)] = [
            (#"[]"#, ""),
            (#"{"max_tokens":1,"messages":[{"role":"user","content":"x"}]}"#, "model"),
            (#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, "max_tokens"),
            (#"{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}"#, "max_tokens"),
            (#"{"model":"m","max_tokens":1,"messages":[]}"#, "messages"),
            (#"{"model":"m","max_tokens":1,"messages":[{"role":"system","content":"x"}]}"#, "messages[0].role"),
            (#"{"model":"m","max_tokens":1,"messages":[{"role":"user"}]}"#, "messages[0].content"),
            (#"{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"video"}]}]}"#, "messages[0].content[0].type"),
            (#"{"model":"m","max_tokens":1,"messages":[{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"t"}]}]}"#, "messages[0].content[0].type"),
            (#"{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file"}}]}]}"#, "messages[0].content[0].source.type"),
            (#"{"model":"m","max_tokens":1,"system":7,"messages":[{"role":"user","content":"x"}]}"#, "system"),
            (#"{"model":"m","max_tokens":1,"stream":"yes","messages":[{"role":"user","content":"x"}]}"#, "stream"),
            (#"{"model":"m","max_tokens":1,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"x"}]}"#, "tools[0].type"),
            (#"{"model":"m","max_tokens":1,"tools":[{"name":"f"}],"messages":[{"role":"user","content":"x"}]}"#, "tools[0].input_schema"),
            (#"{"model":"m","max_tokens":1,"tool_choice":{"type":"sometimes"},"messages":[{"role":"user","content":"x"}]}"#, "tool_choice.type"),
        ]
        for (body, param) in cases {
            let error = error(body)
            #expect(error?.status == 400, "\(body)")
            #expect((error?.param ?? "") == param, "\(body): \(String(describing: error))")
        }
    }
}

@Suite("Anthropic Messages: answers and errors in Anthropic's shape")
struct AnthropicMessageTests {
    @Test("a completion becomes a message with text, tool_use blocks, a stop reason and Anthropic's usage")
    func message() throws {
        let completion = try JSONParser.parse(#"""
            {"id":"chatcmpl-1","object":"chat.completion","model":"sim-light",
             "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"Let me look.",
               "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]}}],
             "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":40}}}
            """#)
        let message = AnthropicMessage.message(fromChatCompletion: completion)
        #expect(message["id"] == "msg_chatcmpl-1")
        #expect(message["type"] == "message" && message["role"] == "assistant" && message["model"] == "sim-light")
        #expect(message["content"] == [
            ["type": "text", "text": "Let me look."],
            ["type": "tool_use", "id": "call_1", "name": "weather", "input": ["city": "Oslo"]],
        ])
        #expect(message["stop_reason"] == "tool_use")
        #expect(message["usage"] == ["input_tokens": 60, "output_tokens": 20, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 40])
    }

    @Test("the message read from a completion's bytes by a scan is the one built from its tree")
    func scannedEqualsParsed() throws {
        let completions = [
            #"{"id":"chatcmpl-1","object":"chat.completion","model":"sim-light","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"there\"\n"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#,
            #"{"model":"m","usage":{"prompt_tokens":100,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":40}},"choices":[{"message":{"content":"x"},"finish_reason":"length"}],"id":"a\u00e9"}"#,
            #"{"id":"c","model":"m","choices":[{"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}]}"#,
            #"{"id":"c","model":"m","choices":[{"message":{"content":"","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#,
            #"{"id":7,"choices":[]}"#,
            // Usage without a completion count: both reads take it as no usage, as the ledger does.
            #"{"id":"c","model":"m","usage":{"prompt_tokens":9},"choices":[{"message":{"content":"x"},"finish_reason":"stop"}]}"#,
        ]
        for text in completions {
            let bytes = Array(text.utf8)
            #expect(AnthropicMessage.message(fromChatCompletionBytes: bytes) == AnthropicMessage.message(fromChatCompletion: try JSONParser.parse(bytes)), "\(text)")
        }
    }

    @Test("finish reasons map to stop reasons")
    func stopReasons() {
        #expect(AnthropicMessage.stopReason(fromFinishReason: "stop") == "end_turn")
        #expect(AnthropicMessage.stopReason(fromFinishReason: "length") == "max_tokens")
        #expect(AnthropicMessage.stopReason(fromFinishReason: "tool_calls") == "tool_use")
        #expect(AnthropicMessage.stopReason(fromFinishReason: "content_filter") == "refusal")
        #expect(AnthropicMessage.stopReason(fromFinishReason: nil) == nil)
    }

    @Test("errors carry Anthropic's type for their status")
    func errors() {
        #expect(AnthropicMessage.error(status: 404, openAIType: "invalid_request_error", message: "no") == [
            "type": "error", "error": ["type": "not_found_error", "message": "no"],
        ])
        #expect(AnthropicMessage.errorType(status: 401, openAIType: nil) == "authentication_error")
        #expect(AnthropicMessage.errorType(status: 429, openAIType: nil) == "rate_limit_error")
        #expect(AnthropicMessage.errorType(status: 503, openAIType: nil) == "overloaded_error")
        #expect(AnthropicMessage.errorType(status: 502, openAIType: "server_error") == "api_error")
    }
}

@Suite("Anthropic Messages: chat streams as Anthropic events")
struct AnthropicStreamTranslatorTests {
    /// The events written for `chunks` (chat-completion chunk JSON, or `[DONE]`), as (name, data).
    private func translate(_ chunks: [String]) throws -> [(String, JSONValue)] {
        var translator = AnthropicStreamTranslator()
        var output: [UInt8] = []
        for chunk in chunks { translator.translate(ServerSentEvent(data: chunk), into: &output) }
        var parser = ServerSentEventParser()
        return try parser.feed(output).map { ($0.event ?? "", try JSONParser.parse($0.data)) }
    }

    @Test("text deltas: message_start, one text block, message_delta with the stop reason and usage, message_stop")
    func text() throws {
        let events = try translate([
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#,
            #"{"id":"c1","model":"sim","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}"#,
            "[DONE]",
        ])
        #expect(events.map(\.0) == [
            "message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
        ])
        #expect(events.allSatisfy { $0.1["type"]?.stringValue == $0.0 })
        #expect(events[0].1["message"]?["id"] == "msg_c1")
        #expect(events[0].1["message"]?["model"] == "sim")
        #expect(events[1].1["content_block"] == ["type": "text", "text": ""])
        #expect(events[2].1["delta"] == ["type": "text_delta", "text": "Hel"])
        #expect(events[3].1["index"] == 0)
        #expect(events[5].1["delta"]?["stop_reason"] == "end_turn")
        #expect(events[5].1["usage"]?["output_tokens"] == 2)
        #expect(events[5].1["usage"]?["input_tokens"] == 9)
    }

    @Test("tool calls: a tool_use block per call, its arguments as input_json_delta")
    func toolCalls() throws {
        let events = try translate([
            #"{"id":"c2","choices":[{"index":0,"delta":{"content":"Checking."}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"weather","arguments":""}}]}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","function":{"name":"time","arguments":"{}"}}]}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            "[DONE]",
        ])
        #expect(events.map(\.0) == [
            "message_start",
            "content_block_start", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_stop",
            "message_delta", "message_stop",
        ])
        #expect(events[4].1["index"] == 1)
        #expect(events[4].1["content_block"] == ["type": "tool_use", "id": "call_1", "name": "weather", "input": [:]])
        let json = events[5...6].compactMap { $0.1["delta"]?["partial_json"]?.stringValue }.joined()
        #expect(try JSONParser.parse(json) == ["city": "Oslo"])
        #expect(events[8].1["index"] == 2)
        #expect(events[8].1["content_block"]?["name"] == "time")
        #expect(events[11].1["delta"]?["stop_reason"] == "tool_use")
    }

    @Test("an error event ends the stream with Anthropic's error, and nothing follows")
    func error() throws {
        let events = try translate([
            #"{"id":"c3","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#,
            #"{"error":{"message":"upstream went away","type":"server_error","param":null,"code":"upstream_error"}}"#,
            "[DONE]",
        ])
        #expect(events.map(\.0) == ["message_start", "content_block_start", "content_block_delta", "error"])
        #expect(events[3].1 == ["type": "error", "error": ["type": "api_error", "message": "upstream went away"]])
    }

    /// Chunk sequences that between them take every path of the translator.
    static let streams: [[String]] = [
        [
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"content":"l\u00f6 \"w\"\n"}}]}"#,
            #"{"id":"c1","model":"sim","choices":[{"index":0,"delta":{"content":"o"},"finish_reason":"length"}]}"#,
            #"{"id":"c1","model":"sim","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}"#,
            "[DONE]",
        ],
        [
            #"{"id":"c2","choices":[{"index":0,"delta":{"reasoning_content":"Let me see."}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{"content":"Checking."}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"weather","arguments":"{}"}}]}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{"content":"Done."}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{"content":"a","content":"b"}}]}"#,
            #"{"id":"c2","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            "[DONE]",
        ],
        [
            #"{"id":"c3","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"content":"there"}}]"#,
            #"{"id":"c3","choices":[{"index":0,"delta":{"content":" you"}}]}"#,
            #"{"error":{"message":"upstream went away","type":"server_error"}}"#,
            #"{"id":"c3","choices":[{"index":0,"delta":{"content":"late"}}]}"#,
        ],
    ]

    @Test("chunks read in place give the same events as chunks parsed, and text chunks are read in place")
    func inPlaceEqualsParsed() throws {
        for chunks in Self.streams {
            var parsed = AnthropicStreamTranslator(), inPlace = AnthropicStreamTranslator()
            var expected: [UInt8] = [], actual: [UInt8] = []
            for chunk in chunks {
                parsed.translate(ServerSentEvent(data: chunk), into: &expected)
                Array(chunk.utf8).withUnsafeBufferPointer { inPlace.translate(data: $0, into: &actual) }
            }
            parsed.finish(into: &expected)
            inPlace.finish(into: &actual)
            var expectedParser = ServerSentEventParser(), actualParser = ServerSentEventParser()
            let want = try expectedParser.feed(expected).map { [JSONValue.string($0.event ?? ""), try JSONParser.parse($0.data)] }
            let got = try actualParser.feed(actual).map { [JSONValue.string($0.event ?? ""), try JSONParser.parse($0.data)] }
            #expect(got == want)
            #expect(want.count > 4)
        }
        // Without the in-place path these would be parsed too; the outputs above could not tell.
        let text = Array(Self.streams[0][2].utf8)
        let range = try #require(text.withUnsafeBufferPointer { JSONParser.scanTextChunk($0) }?.text)
        #expect(String(decoding: text[range], as: UTF8.self) == #""l\u00f6 \"w\"\n""#)
    }

    @Test("a stream that ends without [DONE] is finished when the body ends")
    func finishWithoutDone() throws {
        var translator = AnthropicStreamTranslator()
        var output: [UInt8] = []
        translator.translate(ServerSentEvent(data: #"{"id":"c4","choices":[{"index":0,"delta":{"content":"x"}}]}"#), into: &output)
        #expect(!translator.hasEnded)
        translator.finish(into: &output)
        translator.finish(into: &output)
        var parser = ServerSentEventParser()
        let names = try parser.feed(output).compactMap(\.event)
        #expect(names == ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"])
    }
}
