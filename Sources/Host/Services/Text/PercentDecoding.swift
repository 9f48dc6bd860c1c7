/// Percent-decoding of path segments and query components (RFC 3986).
import PatternCrypto

enum PercentDecoding {
    /// The decoded bytes, or nil when a `%` is not followed by two hex digits.
    /// `plusIsSpace` applies the form-encoding rule used in query strings.
    static func decode(_ bytes: UnsafeRawBufferPointer, plusIsSpace: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count,
                      let high = Crypto.hexDigitValue(bytes[index + 1]), let low = Crypto.hexDigitValue(bytes[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return out
    }

    /// The decoded bytes when they are text a query parameter may hold: UTF-8 without control
    /// characters (C0, DEL, C1), so no plugin is handed a NUL or bytes that are not a string.
    /// nil otherwise, or when the encoding is malformed. (Path parameters keep their bytes:
    /// plugins echo them, and an id that is not text simply names nothing.)
    static func decodeText(_ bytes: UnsafeRawBufferPointer, plusIsSpace: Bool) -> [UInt8]? {
        guard let decoded = decode(bytes, plusIsSpace: plusIsSpace) else { return nil }
        var scalars = decoded.makeIterator()
        var utf8 = UTF8()
        while true {
            switch utf8.decode(&scalars) {
            case .scalarValue(let scalar) where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                return nil
            case .scalarValue: continue
            case .emptyInput: return decoded
            case .error: return nil
            }
        }
    }

    /// Whether decoding would change anything (lets callers hand out the raw bytes).
    static func needsDecoding(_ bytes: UnsafeRawBufferPointer, plusIsSpace: Bool) -> Bool {
        bytes.contains { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }
    }
}
