/// A success answer a route declares: its status description and content type.
public struct Reply: Sendable {
    public let description: String
    /// The media type and its schema; nil for no body (204).
    let content: (mediaType: String, schema: JSONSchema?)?

    public static func json<Body: SchemaDescribed>(_ type: Body.Type, _ description: String) -> Reply {
        json(Body.schema, description)
    }

    public static func json(_ schema: JSONSchema, _ description: String) -> Reply {
        Reply(description: description, content: ("application/json", schema))
    }

    /// API.md's list envelope around `Item`s.
    public static func page<Item: SchemaDescribed>(of type: Item.Type, _ description: String) -> Reply {
        json(PageRequest.envelopeSchema(of: Item.schema), description)
    }

    /// A Server-Sent Events stream.
    public static func eventStream(_ description: String) -> Reply {
        Reply(description: description, content: ("text/event-stream", .string))
    }

    public static func empty(_ description: String) -> Reply { Reply(description: description, content: nil) }
}
