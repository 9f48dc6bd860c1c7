/// The absolute http(s) URL of a server the host calls out to (a provider's `base_url`, an MCP
/// server's `url`): plain ASCII, a host of letters, digits, dots and hyphens (or a bracketed IPv6
/// address), an optional port,
/// a path (and, when allowed, a query) of URL characters with well-formed %-escapes; never a
/// user or a fragment. Narrower than RFC 3986 on purpose: the published pattern and the check
/// are the same rule, and every URL it admits parses.
extension JSONSchema {
    public static func httpURL(allowingQuery: Bool) -> JSONSchema {
        let character = #"([A-Za-z0-9._~!$&'()*+,;=:/-]|%[0-9A-Fa-f]{2})"#
        let query = allowingQuery ? #"(\?([A-Za-z0-9._~!$&'()*+,;=:/?-]|%[0-9A-Fa-f]{2})*)?"# : ""
        return JSONSchema.string
            .pattern(#"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?"# + "(/\(character)*)?\(query)$") {
                isHTTPURL($0, allowingQuery: allowingQuery)
            }
    }

    /// Whether `text` is such a URL (the matcher of `httpURL`'s pattern).
    public static func isHTTPURL(_ text: String, allowingQuery: Bool) -> Bool {
        var reader = URLReader(Array(text.utf8))
        guard reader.scheme(), reader.host() else { return false }
        if reader.take(UInt8(ascii: ":")) {
            guard (1...5).contains(reader.many { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return false }
        }
        if reader.take(UInt8(ascii: "/")), !reader.escapedRun(URLReader.isPathByte) { return false }
        if allowingQuery, reader.take(UInt8(ascii: "?")),
           !reader.escapedRun({ URLReader.isPathByte($0) || $0 == UInt8(ascii: "?") }) { return false }
        return reader.atEnd
    }
}

/// A cursor over a URL's bytes for `isHTTPURL`.
private struct URLReader {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func isHostByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") }

    static func isPathByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || "._~!$&'()*+,;=:/-".utf8.contains(byte) }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) && ((UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20))
    }

    /// `http://` or `https://`, the letters in any case.
    mutating func scheme() -> Bool {
        for letter in "http".utf8 {
            guard index < bytes.count, bytes[index] | 0x20 == letter, Self.isAlphanumeric(bytes[index]) else { return false }
            index += 1
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "s"), Self.isAlphanumeric(bytes[index]) { index += 1 }
        for byte in "://".utf8 {
            guard take(byte) else { return false }
        }
        return true
    }

    /// A name or an IPv4 address, or an IPv6 address in brackets.
    mutating func host() -> Bool {
        guard take(UInt8(ascii: "[")) else { return many(Self.isHostByte) > 0 }
        return many { Self.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") } > 0 && take(UInt8(ascii: "]"))
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Skips the bytes `accepts` admits; answers how many.
    mutating func many(_ accepts: (UInt8) -> Bool) -> Int {
        let start = index
        while index < bytes.count, accepts(bytes[index]) { index += 1 }
        return index - start
    }

    /// Skips bytes `accepts` admits and %-escapes; false at a malformed escape.
    mutating func escapedRun(_ accepts: (UInt8) -> Bool) -> Bool {
        while index < bytes.count {
            if accepts(bytes[index]) {
                index += 1
            } else if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, Self.isHexDigit(bytes[index + 1]), Self.isHexDigit(bytes[index + 2]) else {
                    return false
                }
                index += 3
            } else {
                return true
            }
        }
        return true
    }
}
