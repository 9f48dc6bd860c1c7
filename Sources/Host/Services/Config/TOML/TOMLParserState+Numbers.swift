// Numbers and date-times: the token, handed to `TOMLScalars`.
extension TOMLParserState {
    mutating func parseNumberOrDate() throws(TOMLError) -> TOMLValue {
        let start = position
        func isTokenByte(_ byte: UInt8) -> Bool {
            TOMLSyntax.isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
        while let byte = peek, isTokenByte(byte) { position += 1 }
        // A date and a time may be separated by one space: 1979-05-27 07:32:00Z.
        if position - start == 10, bytes[start + 4] == UInt8(ascii: "-"), peek == UInt8(ascii: " "),
            let a = peek(at: 1), let b = peek(at: 2), peek(at: 3) == UInt8(ascii: ":"),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(a), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
        {
            position += 1
            while let byte = peek, isTokenByte(byte) { position += 1 }
        }
        let token = String(decoding: bytes[start..<position], as: UTF8.self)
        if let value = TOMLScalars.value(of: token) { return value }
        if let message = TOMLScalars.problem(with: token) { throw fail(message) }
        throw fail("invalid value '\(token)'")
    }
}
