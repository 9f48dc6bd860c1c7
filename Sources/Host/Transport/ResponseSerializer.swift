import PatternText

/// Writes an HTTP/1.1 response head and body into a connection's output buffer.
enum ResponseSerializer {
    static let serverHeader = Array("Server: pattern-server\r\n".utf8)

    /// Appends the response to `out`. `omitBody` is true for HEAD requests: the head still
    /// carries the Content-Length the GET would have.
    static func append(
        _ response: ResponseDraft, requestID: [UInt8], keepAlive: Bool, omitBody: Bool, date: [UInt8],
        to out: inout [UInt8]
    ) {
        let status = response.status
        out.append(contentsOf: statusLine(status))
        out.append(contentsOf: serverHeader)
        out.append(contentsOf: date)
        if status >= 200 && status != 204 && status != 304 {
            out.append(contentsOf: "Content-Length: ".utf8)
            DecimalText.append(response.body.count, to: &out)
            out.append(contentsOf: [13, 10])
        }
        appendRest(response, requestID: requestID, keepAlive: keepAlive, to: &out)
        if !omitBody && status != 204 && status != 304 { out.append(contentsOf: response.body) }
    }

    /// The head of a streamed response: chunked for HTTP/1.1, else delimited by closing the
    /// connection. What was written before the head goes out as its first chunk.
    static func appendStreamHead(
        _ response: ResponseDraft, requestID: [UInt8], chunked: Bool, omitBody: Bool, date: [UInt8],
        to out: inout [UInt8]
    ) {
        out.append(contentsOf: statusLine(response.status))
        out.append(contentsOf: serverHeader)
        out.append(contentsOf: date)
        if chunked { out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8) }
        appendRest(response, requestID: requestID, keepAlive: chunked, to: &out)
        guard !omitBody, !response.body.isEmpty else { return }
        if chunked { StreamFraming.appendChunk(response.body, to: &out) } else { out.append(contentsOf: response.body) }
    }

    /// Connection, X-Request-Id, the plugins' headers and the blank line.
    private static func appendRest(_ response: ResponseDraft, requestID: [UInt8], keepAlive: Bool,
                                   to out: inout [UInt8]) {
        if !keepAlive { out.append(contentsOf: "Connection: close\r\n".utf8) }
        out.append(contentsOf: "X-Request-Id: ".utf8)
        out.append(contentsOf: requestID)
        out.append(contentsOf: [13, 10])
        out.append(contentsOf: response.headerLines)
        out.append(contentsOf: [13, 10])
    }

    /// `HTTP/1.1 <code> <reason>\r\n`, precomputed for the codes the server uses.
    static func statusLine(_ status: Int) -> [UInt8] {
        if let line = statusLines[status] { return line }
        return Array("HTTP/1.1 \(status) \(reasonPhrase(status))\r\n".utf8)
    }

    private static let statusLines: [Int: [UInt8]] = {
        var lines: [Int: [UInt8]] = [:]
        for code in [100, 101, 200, 201, 202, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 409, 411, 413,
                     415, 417, 422, 426, 429, 431, 500, 501, 502, 503, 504, 505] {
            lines[code] = Array("HTTP/1.1 \(code) \(reasonPhrase(code))\r\n".utf8)
        }
        return lines
    }()

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
