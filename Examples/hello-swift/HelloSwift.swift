import Foundation
import PluginKit
import Synchronization

/// An example third-party plugin in Swift, built on PluginKit: routes with path and query
/// parameters, a JSON body, a blocking handler, one that waits without blocking (a deferred
/// response finished by a timer), a Server-Sent Events stream, and one that needs a principal.
enum HelloSwift: PatternPlugin {
    static let name = "hello-swift"
    static let version = "1.0.0"
    static let summary = "Example Swift plugin: greetings, echo, a slow handler"

    struct EchoRequest: JSONObject {
        var text = ""
        static let fields: [JSONField<Self>] = [JSONField("text", \.text, required: true)]
    }

    struct EchoReply: JSONObject {
        var text = ""
        var length = 0
        static let fields: [JSONField<Self>] = [
            JSONField("text", \.text, required: true),
            JSONField("length", \.length, required: true) { $0.minimum(0).describe("Unicode scalars in text") },
        ]
    }

    static func setUp(_ host: PluginHost) throws {
        try host.route(.get, "/api/v1/hello-swift/greetings/{name}", options: [.public, .inline],
                       summary: "Greets someone", responds: [200: .json(message, "The greeting")]) { request in
            try .json(["message": "hello, \(request.pathParameter("name") ?? "")"])
        }
        try host.route(.delete, "/api/v1/hello-swift/greetings/{name}", options: [.public],
                       summary: "Forgets a greeting", responds: [204: .empty("Forgotten")]) { _ in .noContent }
        try host.route(.post, "/api/v1/hello-swift/echo", options: [.public], summary: "Echoes text with its length",
                       body: EchoRequest.self, responds: [200: .json(EchoReply.self, "The text and its length")]) { _, echo in
            .jsonValue(EchoReply(text: echo.text, length: echo.text.unicodeScalars.count).json)
        }
        try host.route(.post, "/api/v1/hello-swift/upload", options: [.public], summary: "Counts the bytes of any body",
                       responds: [200: .json(count("bytes"), "The body's size")]) { request in
            try .json(["bytes": request.body.count])
        }
        // Blocking is fine in a handler: it runs on a worker thread, never on the event loop.
        try host.route(.get, "/api/v1/hello-swift/slow", options: [.public], summary: "Sleeps, then answers",
                       query: Wait.self, responds: [200: .json(count("slept_ms"), "How long it slept")]) { _, wait in
            let milliseconds = wait.milliseconds
            usleep(UInt32(milliseconds) * 1000)
            return try .json(["slept_ms": milliseconds])
        }
        // Waiting need not hold a thread: defer the response and let a timer finish it.
        try host.route(.get, "/api/v1/hello-swift/later", options: [.public], summary: "Waits without a thread",
                       query: Wait.self, responds: [200: .json(count("waited_ms"), "How long it waited")]) { request, wait in
            let milliseconds = wait.milliseconds
            let response = try request.deferResponse()
            host.timer(afterMilliseconds: UInt64(milliseconds)) { _ in
                _ = try? response.finish(.json(["waited_ms": milliseconds]))
            }
            return .deferred
        }
        // Three greetings as Server-Sent Events, one every `ms`; a client that leaves stops them.
        try host.route(.get, "/api/v1/hello-swift/greetings", options: [.public], summary: "Three greetings as events",
                       query: Wait.self, responds: [200: .eventStream("greeting events, then the end")]) { request, wait in
            let milliseconds = wait.milliseconds
            let stream = try request.deferResponse()
            let sent = Mutex(0)
            stream.beginEvents()
            host.timer(afterMilliseconds: UInt64(milliseconds), everyMilliseconds: UInt64(milliseconds)) { timer in
                let count = sent.withLock { sent in
                    sent += 1
                    return sent
                }
                if count > 3 {
                    stream.end()
                    timer.cancel()
                } else if stream.send(event: "greeting", data: "hello #\(count)") == .gone {
                    timer.cancel()  // the client left
                }
            }
            return .deferred
        }
        try host.route(.get, "/api/v1/hello-swift/whoami", summary: "Who is calling",
                       responds: [200: .json(JSONSchema.object([.property("user_id", .string)]), "The caller")]) { request in
            try .json(["user_id": request.principal?.userID ?? ""])
        }
        host.reportHealth(.ok)
        host.log(.info, "hello-swift ready")
    }

    /// `?ms=`: how long to wait.
    struct Wait: JSONObject {
        var milliseconds = 0
        static let fields: [JSONField<Self>] = [JSONField("ms", \.milliseconds, required: true) { $0.range(0...10_000) }]
    }

    private static let message = JSONSchema.object([.property("message", .string)])

    private static func count(_ key: String) -> JSONSchema { .object([.property(key, Int.schema.minimum(0))]) }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: HelloSwift.self) }
