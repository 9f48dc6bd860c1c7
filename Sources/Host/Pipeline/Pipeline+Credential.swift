/// Checking a credential outside a request: the event socket's `authenticate` command renews
/// a long-lived connection with a fresh token, judged by the same AUTHENTICATE middleware
/// (and counted by the same rate limits) as a request carrying it.
extension Pipeline {
    /// Longest credential accepted; JWTs and API keys are far shorter.
    static let maxCredentialBytes = 8192

    /// The principal `token` authenticates as when presented as a bearer credential on
    /// `path` from `clientIP`; nil when it does not (or is not a plausible token at all).
    func principal(bearer token: String, path: String, clientIP: ClientAddress) -> Principal? {
        let bytes = Array(token.utf8)
        // Visible ASCII only: nothing can end the header early or smuggle another.
        guard !bytes.isEmpty, bytes.count <= Self.maxCredentialBytes, bytes.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return nil }
        let head = Array("GET \(path) HTTP/1.1\r\nHost: pattern\r\nAuthorization: Bearer ".utf8) + bytes + Array("\r\n\r\n".utf8)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: head.count, alignment: 8)
        head.withUnsafeBytes { storage.copyMemory(from: $0) }
        let parsed: HTTPRequestHead?
        do {
            parsed = try HTTPRequestParser.parse(UnsafeRawBufferPointer(storage), limits: HTTPLimits(maxHeadBytes: head.count + 1))
        } catch {
            parsed = nil
        }
        guard let parsed else {
            storage.deallocate()
            return nil
        }
        let context = RequestContext(storage: storage, head: parsed, bodyRange: head.count..<head.count,
                                     clientIP: clientIP, receivedAt: MonotonicClock.nanoseconds())
        context.requestID = RequestIdentifier.generate()
        route(context)
        return authenticate(context) ? context.principal : nil
    }
}
