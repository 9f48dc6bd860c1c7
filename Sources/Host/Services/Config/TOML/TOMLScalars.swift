/// Numbers, booleans and date-times from their TOML text.
enum TOMLScalars {
    static func value(of token: String) -> TOMLValue? {
        switch token {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        let bytes = Array(token.utf8)
        if isDateTime(bytes) { return .dateTime(token) }
        if let integer = integer(bytes) { return .integer(integer) }
        if let float = float(bytes) { return .float(float) }
        return nil
    }

    /// Why a number-like token is invalid, when a specific reason is known.
    static func problem(with token: String) -> String? {
        let bytes = Array(token.utf8)
        var body = bytes[...]
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        if body.count > 1, body.first == UInt8(ascii: "0"), let second = body.dropFirst().first {
            if second == UInt8(ascii: "x") || second == UInt8(ascii: "o") || second == UInt8(ascii: "b") {
                if body.count != bytes.count { return "invalid integer '\(token)': a hexadecimal, octal or binary integer cannot have a sign" }
                if wellFormedPrefixed(body) { return "integer '\(token)' does not fit in 64 bits" }
                return "invalid integer '\(token)'"
            }
            if isDigit(second) || second == UInt8(ascii: "_") { return "invalid number '\(token)': leading zeros are not allowed" }
        }
        if isDecimalInteger(bytes[...]) { return "integer '\(token)' does not fit in 64 bits" }
        if token.contains("__") || token.hasSuffix("_") || token.contains("_.") || token.contains("._") {
            return "invalid number '\(token)': an underscore must be between two digits"
        }
        if isFloatSyntax(bytes[...]) { return "float '\(token)' is out of range" }
        if bytes.count >= 5, bytes[4] == UInt8(ascii: "-") || bytes[2] == UInt8(ascii: ":") {
            return "invalid date-time '\(token)'"
        }
        return nil
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// Digits with single underscores between them.
    static func isDigitRun(_ bytes: ArraySlice<UInt8>, digit: (UInt8) -> Bool = isDigit) -> Bool {
        guard let first = bytes.first, let last = bytes.last, digit(first), digit(last) else { return false }
        var previousUnderscore = false
        for byte in bytes {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if digit(byte) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    static func withoutUnderscores(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
    }

    /// An unprefixed decimal integer, signed or not, without leading zeros.
    static func isDecimalInteger(_ bytes: ArraySlice<UInt8>) -> Bool {
        var body = bytes
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        guard isDigitRun(body) else { return false }
        return body.count == 1 || body.first != UInt8(ascii: "0")
    }

    static func wellFormedPrefixed(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count > 2 else { return false }
        let digits = bytes.dropFirst(2)
        switch bytes[bytes.startIndex + 1] {
        case UInt8(ascii: "x"): return isDigitRun(digits, digit: isHexDigit)
        case UInt8(ascii: "o"): return isDigitRun(digits) { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }
        case UInt8(ascii: "b"): return isDigitRun(digits) { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") }
        default: return false
        }
    }

    static func integer(_ bytes: [UInt8]) -> Int64? {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"),
            bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "o") || bytes[1] == UInt8(ascii: "b")
        {
            guard wellFormedPrefixed(bytes[...]) else { return nil }
            let radix = bytes[1] == UInt8(ascii: "x") ? 16 : bytes[1] == UInt8(ascii: "o") ? 8 : 2
            return Int64(withoutUnderscores(bytes.dropFirst(2)), radix: radix)
        }
        guard isDecimalInteger(bytes[...]) else { return nil }
        return Int64(withoutUnderscores(bytes[...]))
    }

    /// `[sign] int ( frac [exp] | exp )` where int has no leading zeros.
    static func isFloatSyntax(_ bytes: ArraySlice<UInt8>) -> Bool {
        var body = bytes
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { body = body.dropFirst() }
        let exponentIndex = body.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = exponentIndex.map { body[..<$0] } ?? body
        let dotIndex = mantissa.firstIndex(of: UInt8(ascii: "."))
        let integerPart = dotIndex.map { mantissa[..<$0] } ?? mantissa
        guard isDigitRun(integerPart), integerPart.count == 1 || integerPart.first != UInt8(ascii: "0") else { return false }
        if let dotIndex, !isDigitRun(mantissa[(dotIndex + 1)...]) { return false }
        if let exponentIndex {
            var exponent = body[(exponentIndex + 1)...]
            if let first = exponent.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            if !isDigitRun(exponent) { return false }
        }
        return dotIndex != nil || exponentIndex != nil
    }

    static func float(_ bytes: [UInt8]) -> Double? {
        guard isFloatSyntax(bytes[...]), let value = Double(withoutUnderscores(bytes[...])), value.isFinite else { return nil }
        return value
    }

    // MARK: Date-times (RFC 3339 as TOML allows it)

    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func number(_ length: Int) -> Int? {
            guard index + length <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + length] {
                guard isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += length
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { return false }
            index += 1
            return true
        }
        func time() -> Bool {
            guard let hour = number(2), hour < 24, expect(":"), let minute = number(2), minute < 60, expect(":"),
                let second = number(2), second <= 60
            else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let start = index
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                if index == start { return false }
            }
            return true
        }

        if bytes.count > 2, bytes[2] == UInt8(ascii: ":") {
            return time() && index == bytes.count
        }
        guard let year = number(4), expect("-"), let month = number(2), (1...12).contains(month), expect("-"),
            let day = number(2), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return false }
        if index == bytes.count { return true }
        guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") || bytes[index] == UInt8(ascii: " ") else {
            return false
        }
        index += 1
        guard time() else { return false }
        if index == bytes.count { return true }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") { return index + 1 == bytes.count }
        guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return false }
        index += 1
        guard let offsetHour = number(2), offsetHour < 24, expect(":"), let offsetMinute = number(2), offsetMinute < 60 else {
            return false
        }
        return index == bytes.count
    }
}
