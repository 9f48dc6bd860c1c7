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

    struct EchoRequest: Decodable { let text: String }
    struct EchoResponse: Encodable { let text: String; let length: Int }

    static func setUp(_ host: PluginHost) throws {
        try host.route(.get, "/api/v1/hello-swift/greetings/{name}", options: [.public, .inline],
                       openAPI: #"{"summary":"Greets someone"}"#) { request in
            try .json(["message": "hello, \(request.pathParameter("name") ?? "")"])
        }
        try host.route(.delete, "/api/v1/hello-swift/greetings/{name}", options: [.public]) { _ in .noContent }
        try host.route(.post, "/api/v1/hello-swift/echo", options: [.public],
                       openAPI: #"{"summary":"Echoes text with its length"}"#) { request in
            let body = try request.decodeJSON(EchoRequest.self)
            return try .json(EchoResponse(text: body.text, length: body.text.unicodeScalars.count))
        }
        try host.route(.post, "/api/v1/hello-swift/upload", options: [.public]) { request in
            try .json(["bytes": request.body.count])
        }
        // Blocking is fine in a handler: it runs on a worker thread, never on the event loop.
        try host.route(.get, "/api/v1/hello-swift/slow", options: [.public]) { request in
            let milliseconds = try milliseconds(request)
            usleep(UInt32(milliseconds) * 1000)
            return try .json(["slept_ms": milliseconds])
        }
        // Waiting need not hold a thread: defer the response and let a timer finish it.
        try host.route(.get, "/api/v1/hello-swift/later", options: [.public]) { request in
            let milliseconds = try milliseconds(request)
            let response = try request.deferResponse()
            host.timer(afterMilliseconds: UInt64(milliseconds)) { _ in
                _ = try? response.finish(.json(["waited_ms": milliseconds]))
            }
            return .deferred
        }
        // Three greetings as Server-Sent Events, one every `ms`; a client that leaves stops them.
        try host.route(.get, "/api/v1/hello-swift/greetings", options: [.public]) { request in
            let milliseconds = try milliseconds(request)
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
        try host.route(.get, "/api/v1/hello-swift/whoami") { request in
            try .json(["user_id": request.principal?.userID ?? ""])
        }
        host.reportHealth(.ok)
        host.log(.info, "hello-swift ready")
    }

    private static func milliseconds(_ request: Request) throws(HTTPError) -> Int {
        guard let text = try request.query("ms"), let milliseconds = Int(text), (0...10_000).contains(milliseconds) else {
            throw HTTPError.validation("ms", "must be an integer from 0 to 10000")
        }
        return milliseconds
    }
}

@c(pattern_plugin_entry_v1)
public func patternPluginEntry() -> UnsafeRawPointer { PluginExport.descriptor(for: HelloSwift.self) }
