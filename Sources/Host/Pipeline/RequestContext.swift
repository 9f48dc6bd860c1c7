import PluginABI

/// One request on its way through the pipeline: the parsed head and body (in one
/// allocation the plugins read from without copies), routing results, the principal and
/// the response being built. This is what a `pattern_request *` points to.
///
/// It is owned by one thread at a time: the event loop builds it, a worker (or the loop
/// itself, for inline routes) runs the pipeline, and the loop writes the response.
// @unchecked: handed between threads, never shared; each hand-off is a queue operation
// that orders memory (Mutex or the loop's completion queue).
final class RequestContext: @unchecked Sendable {
    /// Head bytes followed by body bytes; ranges in `head` index into it.
    let storage: UnsafeMutableRawBufferPointer
    let head: HTTPRequestHead
    let bodyRange: Range<Int>
    let clientIP: ClientAddress
    let receivedAt: UInt64
    var requestID: [UInt8]
    var route: Route?
    var parameterRanges: [Range<Int>] = []
    var routeMiss: Router.Match?
    var principal: Principal?
    var attributes: [String: [UInt8]] = [:]
    var response = ResponseDraft()
    /// The body as a C plugin reads it (ABI 1.6 `json->body`), parsed on first use.
    var jsonBody: JSONBodyReader?
    /// The JSON document a C plugin writes into the response (ABI 1.6 `json->begin_object` ...).
    var jsonWriter = JSONResponseWriter()
    /// Set by a WebSocket route that accepted the handshake: the loop switches protocols.
    var upgrade: WebSocketEndpoint?
    /// Set when the handler deferred the response (ABI 1.4): it is finished later.
    private(set) var isDeferred = false
    /// The deferred response while it is open. Weak: the response holds this context, and the
    /// registry, the connection and the loop's messages keep the response alive as long as it
    /// is needed (a strong reference here leaked every deferred exchange).
    private(set) weak var deferred: DeferredResponse?

    func detach(into response: DeferredResponse) {
        deferred = response
        isDeferred = true
    }
    /// Set while a handler runs: only then may it defer.
    var inHandler = false
    /// The connection the request came from, so a deferred response can find it (nil for a
    /// credential check, which has no connection).
    var origin: RequestOrigin?
    /// Where the exchange goes on when an inline step answered PATTERN_WOULD_BLOCK (ABI 1.5):
    /// `Pipeline.run(_:from:)` on a worker.
    var resumePosition: Int?
    /// Copies handed to plugins (decoded parameters, principal strings); freed with the request.
    private var scratch: [UnsafeMutableRawBufferPointer] = []
    private(set) var principalView: pattern_principal?

    init(storage: UnsafeMutableRawBufferPointer, head: HTTPRequestHead, bodyRange: Range<Int>,
         clientIP: ClientAddress, receivedAt: UInt64) {
        self.storage = storage
        self.head = head
        self.bodyRange = bodyRange
        self.clientIP = clientIP
        self.receivedAt = receivedAt
        requestID = []
    }

    deinit {
        storage.deallocate()
        for allocation in scratch { allocation.deallocate() }
    }

    // MARK: Reading the request

    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage[range])
    }

    func str(_ range: Range<Int>) -> pattern_str {
        pattern_str(ptr: storage.baseAddress.map { ($0 + range.lowerBound).assumingMemoryBound(to: CChar.self) },
                    len: range.count)
    }

    var method: UnsafeRawBufferPointer { bytes(head.method) }
    var path: UnsafeRawBufferPointer { bytes(head.path) }
    var methodString: String { String(decoding: method, as: UTF8.self) }
    var isHead: Bool { method.elementsEqual("HEAD".utf8) }

    /// The first header with this name (any case), as a range of `storage`.
    func headerRange(_ name: String) -> Range<Int>? {
        head.header(name, in: UnsafeRawBufferPointer(storage))
    }

    func header(_ lowercaseName: String) -> String? {
        headerRange(lowercaseName).map { String(decoding: bytes($0), as: UTF8.self) }
    }

    /// Keeps a copy of `bytes` alive until the request ends and returns a view of it.
    func retain(_ bytes: some Collection<UInt8>) -> pattern_str {
        guard !bytes.isEmpty else { return .empty }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        _ = copy.initializeMemory(as: UInt8.self, from: bytes)
        scratch.append(copy)
        return pattern_str(ptr: copy.baseAddress!.assumingMemoryBound(to: CChar.self), len: bytes.count)
    }

    /// What observers record per request (the ABI's exchange_summary).
    var exchangeSummary: pattern_exchange_summary {
        pattern_exchange_summary(
            struct_size: ABIStruct.size(of: pattern_exchange_summary.self), status: Int32(response.status),
            method: str(head.method), route_template: route?.templateBytes.str ?? .empty,
            request_body_size: UInt64(bodyRange.count), response_body_size: UInt64(response.body.count),
            elapsed_nanoseconds: MonotonicClock.nanoseconds() &- receivedAt)
    }

    // MARK: Principal

    func setPrincipal(_ principal: Principal) {
        self.principal = principal
        let permissionViews = principal.permissions.map { retain(Array($0.utf8)) }
        let list = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(1, permissionViews.count) * MemoryLayout<pattern_str>.stride,
            alignment: MemoryLayout<pattern_str>.alignment)
        scratch.append(list)
        let typed = list.bindMemory(to: pattern_str.self)
        for (index, view) in permissionViews.enumerated() { typed[index] = view }
        principalView = pattern_principal(
            struct_size: UInt32(MemoryLayout<pattern_principal>.size),
            user_id: retain(Array(principal.userID.utf8)), is_admin: principal.isAdmin ? 1 : 0,
            permissions: UnsafePointer(typed.baseAddress), permission_count: permissionViews.count,
            api_key_id: retain(Array((principal.apiKeyID ?? "").utf8)), rate_limit: principal.rateLimit,
            session_id: retain(Array((principal.sessionID ?? "").utf8)), expires_at: principal.expiresAt,
            rate_limit_above_policy: principal.rateLimitAbovePolicy ? 1 : 0)
    }

    // MARK: Responding

    /// Replaces status and body with the API's error body; headers middleware already added
    /// (rate-limit, CORS) stay.
    func respondError(_ status: Int, _ message: String, type: String? = nil, fieldsJSON: String? = nil) {
        response.replace(status: status, contentType: "application/json",
                         body: ErrorBody.render(type: type ?? ErrorBody.type(for: status), message: message,
                                                fieldsJSON: fieldsJSON))
    }

    func respondJSON(_ status: Int, _ body: [UInt8]) {
        response.replace(status: status, contentType: "application/json", body: body)
    }
}
