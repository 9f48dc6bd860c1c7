import PluginKit

/// An agent's state in Pattern's shape: `"ready"`, `"suspended"`, `"processing"`,
/// `{"cooldown": {"until": <time>}}` or `{"error": {"kind": "...", "message": "..."}}`.
enum AgentState: SchemaValue, Equatable {
    case ready
    case suspended
    case processing
    case cooldown(until: String)
    case error(kind: String, message: String)

    /// Parses the wire form; problems name `field` (e.g. `state.cooldown.until`).
    init(_ value: JSONValue, field: String) throws(HTTPError) {
        switch value {
        case .string("ready"): self = .ready
        case .string("suspended"): self = .suspended
        case .string("processing"): self = .processing
        case .object(let members) where members.count == 1:
            let (tag, body) = members.first!
            switch tag {
            case "cooldown":
                let fields = try JSONFields(body, path: "\(field).cooldown")
                let until = try fields.requiredString("until")
                guard let milliseconds = Timestamp.parse(until) else {
                    throw .validation(fields.field("until"), "must be an RFC 3339 date-time")
                }
                self = .cooldown(until: Timestamp.rfc3339(milliseconds: milliseconds))
            case "error":
                let fields = try JSONFields(body, path: "\(field).error")
                let kind = try fields.requiredString("kind")
                let message = try fields.requiredString("message")
                guard !kind.isEmpty, kind.unicodeScalars.count <= 128 else {
                    throw .validation(fields.field("kind"), "must be 1 to 128 characters")
                }
                guard message.unicodeScalars.count <= 4096 else {
                    throw .validation(fields.field("message"), "must be at most 4096 characters")
                }
                self = .error(kind: kind, message: message)
            default:
                throw Self.invalid(field)
            }
        default:
            throw Self.invalid(field)
        }
    }

    private static func invalid(_ field: String) -> HTTPError {
        .validation(field, #"must be "ready", "suspended", "processing", {"cooldown": {"until": …}} or {"error": {"kind": …, "message": …}}"#)
    }

    /// Its schema; the check is the parser, which names the nested field at fault.
    static let schema = JSONSchema.oneOf([
        JSONSchema.string.oneOf(["ready", "suspended", "processing"]),
        .object([.property("cooldown", .object([.property("until", .timestamp)]))], additionalProperties: false),
        .object([.property("error", .object([
            .property("kind", JSONSchema.string.length(1...128)), .property("message", JSONSchema.string.maxLength(4096)),
        ]))], additionalProperties: false),
    ]).named("AgentState").describe("Pattern's agent state").checked { value, path throws(HTTPError) in
        _ = try AgentState(value, field: path)
    }

    init(checked json: JSONValue) {
        self = (try? AgentState(json, field: "state")) ?? .error(kind: "invalid_state", message: "Unreadable.")
    }

    var json: JSONValue {
        switch self {
        case .ready: "ready"
        case .suspended: "suspended"
        case .processing: "processing"
        case .cooldown(let until): ["cooldown": ["until": .string(until)]]
        case .error(let kind, let message): ["error": ["kind": .string(kind), "message": .string(message)]]
        }
    }

    /// A suspended agent is inactive (the `is_active` list filter); every other state is active.
    var isActive: Bool { self != .suspended }

    /// Reads the stored JSON text; anything unreadable is reported as an error state.
    init(storedJSON text: String) {
        if let value = JSONValue(parsing: text), let state = try? AgentState(value, field: "state") {
            self = state
        } else {
            self = .error(kind: "invalid_state", message: "The stored state could not be read.")
        }
    }
}
