import Foundation
import PluginABI

/// What a handler answers. The host adds Content-Length, Date, Server and X-Request-Id.
public struct Response: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response (snake_case keys are the encoder's job: name your properties so, or
    /// use CodingKeys).
    public static func json<Body: Encodable>(_ value: Body, status: Int = 200) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Response(status: status, headers: [("Content-Type", "application/json")],
                        body: Array(try encoder.encode(value)))
    }

    public static let noContent = Response(status: 204)

    /// What a handler returns after `request.deferResponse()`: the response follows later.
    public static let deferred = Response(status: 0)
    var isDeferred: Bool { status == 0 }

    func write(to request: Request) {
        let api = request.http.pointee
        _ = api.set_status(request.handle, Int32(status))
        for header in headers {
            _ = withABIString(header.name) { name in
                withABIString(header.value) { value in api.add_header(request.handle, name, value) }
            }
        }
        if !body.isEmpty { _ = withABIBytes(body) { api.write_body(request.handle, $0) } }
    }
}

/// An error answer in the API's error format; throw it from a handler.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct FieldProblem: Sendable, Equatable, Encodable {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    public var type: String
    public var message: String
    public var fields: [FieldProblem]
    /// Headers sent with the error body (`WWW-Authenticate`, `Retry-After`, …).
    public var headers: [Header]

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(status: Int, type: String, message: String, fields: [FieldProblem] = [], headers: [Header] = []) {
        self.status = status
        self.type = type
        self.message = message
        self.fields = fields
        self.headers = headers
    }

    public var description: String { "\(status) \(type): \(message)" }

    public static func validation(_ field: String, _ message: String) -> HTTPError {
        HTTPError(status: 400, type: "validation_error", message: "\(field): \(message)",
                  fields: [FieldProblem(field: field, message: message)])
    }

    public static func notFound(_ message: String = "Not found.") -> HTTPError {
        HTTPError(status: 404, type: "not_found", message: message)
    }

    public static func conflict(_ message: String) -> HTTPError {
        HTTPError(status: 409, type: "conflict", message: message)
    }

    public static func forbidden(_ message: String) -> HTTPError {
        HTTPError(status: 403, type: "forbidden", message: message)
    }

    /// 401 with `WWW-Authenticate: Bearer` (RFC 6750 §3), as API.md requires for every 401.
    public static func unauthorized(_ message: String, challenge: String = "Bearer") -> HTTPError {
        HTTPError(status: 401, type: "unauthorized", message: message, headers: [Header("WWW-Authenticate", challenge)])
    }

    /// The `fields` array as the ABI takes it ("" when there are none).
    var fieldsJSON: String {
        fields.isEmpty ? "" : (try? JSONEncoder().encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    func write(to request: Request) {
        _ = withABIString(type) { typeText in
            withABIString(message) { messageText in
                withABIString(fieldsJSON) { fieldsText in
                    request.http.pointee.respond_error(request.handle, Int32(status), typeText, messageText, fieldsText)
                }
            }
        }
        for header in headers {
            _ = withABIString(header.name) { name in
                withABIString(header.value) { value in request.http.pointee.add_header(request.handle, name, value) }
            }
        }
    }
}
