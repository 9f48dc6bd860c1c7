import PluginKit

/// OpenAPI operations of the chat plugin's routes.
enum ChatOpenAPI {
    private typealias API = OpenAPIOperation

    static let content: JSONValue = [
        "description": #"A plain string, or Pattern's tagged form: {"Text"}, {"Parts"}, {"ToolCalls"} or {"ToolResponses"} (answers are always tagged)"#,
        "oneOf": [API.string(), API.anyObject],
    ]

    static let message = API.object([
        "id": API.string("msg_…"), "agent_id": API.string(nullable: true),
        "role": ["type": "string", "enum": ["system", "user", "assistant", "tool"]], "content": content,
        "created_at": API.timestamp,
        "tool_calls": ["type": ["array", "null"], "items": API.object(["id": API.string(), "name": API.string(), "arguments": [:]])],
        "tool_results": ["type": ["array", "null"], "items": API.object([
            "tool_call_id": API.string(), "result": API.string(), "is_error": API.boolean,
        ])],
        "metadata": API.anyObject,
    ], required: ["id", "agent_id", "role", "content", "created_at", "tool_calls", "tool_results", "metadata"])

    static let usage: JSONValue = ["type": ["object", "null"], "properties": [
        "input_tokens": ["type": "integer"], "output_tokens": ["type": "integer"], "total_tokens": ["type": "integer"],
        "model": ["type": ["string", "null"]],
    ]]

    static let send = API.make(
        summary: "Send a message to an agent or a group",
        description: """
            target: an agent id, a group id or the name of one of your agents. The answer lists every message the \
            turn stored, the user's first. With "stream": true or Accept: text/event-stream the answer is an SSE \
            stream of text_delta, reasoning_delta, tool_call_started, tool_call_completed and message events, then \
            done (this body) or error. One turn at a time per agent; [chat] max_queued_per_agent may wait (429 beyond). \
            Provider failures: 502 provider_error, 503 service_unavailable, 504 provider_timeout, 409 when the agent \
            has no usable provider. A group message is stored once (agent_id null) and routed by the group's \
            coordination pattern; every member's output carries metadata.group_id, and the stream adds \
            agent_started / agent_completed around each member's events. 409 when the group is inactive, nobody can \
            answer, or the groups plugin is not loaded; 504 gateway_timeout when a pipeline stage times out and aborts.
            """,
        requestBody: API.object(["target": API.string(), "content": content, "stream": API.boolean],
                                required: ["target", "content"]),
        responses: [200: ("Every message the turn stored, and the tokens it used",
                          API.object(["messages": API.array(message), "usage": usage], required: ["messages", "usage"]))],
        errors: [400, 401, 403, 404, 409, 415, 429, 502, 503, 504])

    static let history = API.make(
        summary: "An agent's or a group's message history",
        description: "offset skips that many of the newest messages (page/limit may be used instead); items are oldest first within the window.",
        parameters: [
            API.query("target", API.string(), "An agent id or the name of one of your agents"),
            API.query("limit", API.integer(minimum: 1), "Messages per window (default 50, at most 100)"),
            API.query("offset", API.integer(minimum: 0), "Newest messages to skip"),
            API.query("page", API.integer(minimum: 1), "Instead of offset: page 1 is the latest"),
        ],
        responses: [200: ("One window of messages", API.page(of: message))], errors: [400, 401, 403, 404])

    static let search = API.make(
        summary: "Search the caller's messages",
        description: "Full text (every word must match; the last also as a prefix), best match first.",
        parameters: [
            API.query("query", API.string(), "Words to look for"),
            API.query("agent_id", API.string(), "Only this agent's messages"),
            API.query("role", API.string(), "system, user, assistant or tool"),
            API.query("from_date", API.timestamp, "Created at or after"),
            API.query("to_date", API.timestamp, "Created at or before"),
        ] + API.pageParameters(sortFields: ["created_at"], activeFilter: false),
        responses: [200: ("One page of messages", API.page(of: message))], errors: [400, 401, 403, 404])
}
