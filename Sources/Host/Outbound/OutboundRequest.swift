/// A request as the client sends it, copied from the plugin's `pattern_client_request` and
/// checked: a token method, header names that are tokens and values without CR, LF or NUL
/// (no header injection), and none of the headers the client frames itself.
struct OutboundRequest: Sendable {
    struct Header: Sendable, Equatable {
        let name: [UInt8]
        let value: [UInt8]
    }

    struct Invalid: Error, Equatable {
        let reason: String
    }

    /// Headers the client writes itself: a caller's would break the framing or the pool.
    static let reservedHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection", "upgrade",
                                               "te", "keep-alive", "proxy-connection", "trailer"]
    static let maxHeaders = 128
    static let maxHeadBytes = 64 * 1024
    /// Headers dropped when a redirect leaves the origin: credentials are for the first one.
    static let credentialHeaders: Set<String> = ["authorization", "cookie", "proxy-authorization"]

    var method: String
    var url: OutboundURL
    var headers: [Header]
    var body: [UInt8]

    init(method: String, url: String, headers: [Header], body: [UInt8]) throws(Invalid) {
        guard !method.isEmpty, method.utf8.count <= 32, method.utf8.allSatisfy(HTTPSyntax.isTokenChar) else {
            throw Invalid(reason: "method is not an HTTP token")
        }
        guard headers.count <= Self.maxHeaders else { throw Invalid(reason: "more than \(Self.maxHeaders) headers") }
        var headBytes = 0
        for header in headers {
            guard !header.name.isEmpty, header.name.allSatisfy(HTTPSyntax.isTokenChar) else {
                throw Invalid(reason: "a header name is not an HTTP token")
            }
            guard header.value.allSatisfy(HTTPSyntax.isFieldValueChar) else {
                throw Invalid(reason: "header \(String(decoding: header.name, as: UTF8.self)) has a control character")
            }
            let name = String(decoding: header.name, as: UTF8.self).lowercased()
            guard !Self.reservedHeaders.contains(name) else { throw Invalid(reason: "header \(name) is set by the host") }
            headBytes += header.name.count + header.value.count + 4
        }
        guard headBytes <= Self.maxHeadBytes else { throw Invalid(reason: "headers larger than \(Self.maxHeadBytes) bytes") }
        do {
            self.url = try OutboundURL(url)
        } catch {
            throw Invalid(reason: error.reason)
        }
        self.method = method
        self.headers = headers
        self.body = body
    }

    /// Whether a retry on a fresh connection is safe after a kept-alive one failed unanswered.
    var isIdempotent: Bool { ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"].contains(method) }

    /// The request as bytes on the wire: request line, Host, the caller's headers, framing.
    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + body.count)
        out += Array("\(method) \(url.target) HTTP/1.1\r\nHost: \(url.authority)\r\n".utf8)
        for header in headers {
            out += header.name
            out += [HTTPSyntax.colon, HTTPSyntax.space]
            out += header.value
            out += [HTTPSyntax.cr, HTTPSyntax.lf]
        }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            out += Array("Content-Length: \(body.count)\r\n".utf8)
        }
        out += [HTTPSyntax.cr, HTTPSyntax.lf]
        out += body
        return out
    }

    /// The request for the next hop of a redirect with `status` to `target`. 303 (and 301/302 after a POST, as browsers do) turn into a GET
    /// without a body; credentials stay behind when the origin changes.
    func redirected(status: Int, to target: OutboundURL) -> OutboundRequest {
        var next = self
        next.url = target
        if status == 303 && method != "HEAD" || (status == 301 || status == 302) && method == "POST" {
            next.method = "GET"
            next.body = []
            next.headers.removeAll { String(decoding: $0.name, as: UTF8.self).lowercased().hasPrefix("content-") }
        }
        if target.origin != url.origin {
            next.headers.removeAll { Self.credentialHeaders.contains(String(decoding: $0.name, as: UTF8.self).lowercased()) }
        }
        return next
    }
}
