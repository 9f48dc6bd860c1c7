/// A success answer a route declares: its status description and content type.
public struct Reply: Sendable {
    public let description: String
    /// Each media type it may come as, with its schema; none for no body (204).
    let contents: [(mediaType: String, schema: JSONSchema?)]

    public static func json<Body: SchemaDescribed>(_ type: Body.Type, _ description: String) -> Reply {
        json(Body.schema, description)
    }

    public static func json(_ schema: JSONSchema, _ description: String) -> Reply {
        Reply(description: description, contents: [("application/json", schema)])
    }

    /// API.md's list envelope around `Item`s.
    public static func page<Item: SchemaDescribed>(of type: Item.Type, _ description: String) -> Reply {
        json(PageRequest.envelopeSchema(of: Item.schema), description)
    }

    /// A Server-Sent Events stream.
    public static func eventStream(_ description: String) -> Reply {
        Reply(description: description, contents: [("text/event-stream", Self.serverSentEvent)])
    }

    /// A text body of `mediaType` (e.g. Prometheus' exposition format).
    public static func text(_ mediaType: String, _ description: String) -> Reply {
        Reply(description: description, contents: [(mediaType, .string)])
    }

    public static func empty(_ description: String) -> Reply { Reply(description: description, contents: []) }

    /// The same answer, or a Server-Sent Events stream when the client asks for one.
    public func orEventStream() -> Reply {
        Reply(description: description, contents: contents + [("text/event-stream", Self.serverSentEvent)])
    }

    /// One event of a stream, as a client reads it (the data is JSON text).
    static let serverSentEvent = JSONSchema.object([
        .property("event", .string, required: false), .property("data", .string, required: false),
        .property("id", .string, required: false), .property("retry", .integer, required: false),
    ]).named("ServerSentEvent")
}
