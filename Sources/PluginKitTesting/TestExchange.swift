import Foundation
import PluginABI
import Synchronization

/// One request through the test host: what the test sent (pinned, so the plugin can borrow
/// it) and the response being built. It is the `pattern_request` plugins receive; a deferred
/// response is finished through it too, possibly from another thread.
final class TestExchange: Sendable {
    let method: PinnedBytes
    let path: PinnedBytes
    let query: PinnedBytes
    let body: PinnedBytes
    let requestID: PinnedBytes
    let clientIP = PinnedBytes("127.0.0.1")
    let headers: [(name: PinnedBytes, value: PinnedBytes)]
    let route: RegisteredRoute?
    let pathParameters: [String: PinnedBytes]
    private let startedAt = DispatchTime.now().uptimeNanoseconds
    let state: Mutex<ExchangeState>
    /// Signalled when a deferred response is finished (or aborted).
    let finished = DispatchSemaphore(value: 0)

    struct ExchangeState: ~Copyable {
        var principal: PinnedPrincipal?
        var attributes: [String: PinnedBytes] = [:]
        var status: Int32 = 0
        var responseHeaders: [(name: String, value: String)] = []
        var responseBody: [UInt8] = []
        var deferred = false
        var streaming = false
        var aborted = false
        /// Values lent to the plugin for the duration of a callback (decoded query parameters).
        var lent: [PinnedBytes] = []
    }

    init(method: String, path: String, query: String, headers: [(String, String)], body: [UInt8],
         requestID: String, route: RegisteredRoute?, pathParameters: [String: String], principal: TestPrincipal?) {
        self.method = PinnedBytes(method)
        self.path = PinnedBytes(path)
        self.query = PinnedBytes(query)
        self.body = PinnedBytes(body)
        self.requestID = PinnedBytes(requestID)
        self.headers = headers.map { (PinnedBytes($0.0), PinnedBytes($0.1)) }
        self.route = route
        self.pathParameters = pathParameters.mapValues { PinnedBytes($0) }
        state = Mutex(ExchangeState(principal: principal.map { PinnedPrincipal($0) }))
    }

    var elapsedNanoseconds: UInt64 { DispatchTime.now().uptimeNanoseconds - startedAt }

    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ handle: OpaquePointer?) -> TestExchange {
        Unmanaged<TestExchange>.fromOpaque(UnsafeRawPointer(handle!)).takeUnretainedValue()
    }

    func header(named name: String) -> PinnedBytes? {
        let wanted = name.lowercased()
        return headers.first { String(decoding: $0.name.str.bytes, as: UTF8.self).lowercased() == wanted }?.value
    }

    /// The first occurrence of a query parameter, percent-decoded with '+' as a space; nil
    /// when absent, `.failure` when it is not text once decoded.
    func queryParameter(_ name: String) -> Result<String, TestHostError>? {
        for pair in query.str.text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.decode(parts[0]) == name else { continue }
            guard let value = Self.decode(parts.count > 1 ? parts[1] : ""),
                  !value.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
                return .failure(TestHostError(description: "query parameter \(name) is not text"))
            }
            return .success(value)
        }
        return nil
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// Replaces the response with the standard error body (the host's ErrorBody).
    func respondError(status: Int32, type: String?, message: String, fieldsJSON: String?) {
        let body = ErrorDocument.render(type: type ?? ErrorDocument.type(for: status), message: message,
                                        fieldsJSON: fieldsJSON)
        state.withLock { state in
            state.status = status
            state.responseHeaders.removeAll { $0.name.lowercased() == "content-type" }
            state.responseHeaders.append(("Content-Type", "application/json"))
            state.responseBody = body
        }
    }

    /// The response as the test sees it.
    func response() -> TestResponse {
        state.withLock {
            TestResponse(status: Int($0.status), headers: $0.responseHeaders, body: $0.responseBody, aborted: $0.aborted)
        }
    }
}
