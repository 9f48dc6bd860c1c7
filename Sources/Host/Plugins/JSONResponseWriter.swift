import PatternText

/// The JSON document a C plugin writes into its response through the `json` sub-table (ABI
/// 1.6): which containers are open and whether each holds a value yet, so the host places
/// the commas and checks that members have keys and array elements have none.
struct JSONResponseWriter {
    private var open: [(isObject: Bool, isEmpty: Bool)] = []
    /// True once the document has begun (the first write adds the Content-Type).
    private(set) var hasBegun = false

    /// Appends what goes before the next value (a comma, the quoted key and a colon); false,
    /// with nothing appended, when `key` does not fit where the value goes.
    mutating func beginValue(key: String, into body: inout [UInt8]) -> Bool {
        guard let innermost = open.last else {
            guard !hasBegun, key.isEmpty else { return false }
            hasBegun = true
            return true
        }
        guard innermost.isObject != key.isEmpty else { return false }
        if !innermost.isEmpty { body.append(UInt8(ascii: ",")) }
        open[open.count - 1].isEmpty = false
        if innermost.isObject {
            JSONString.append(key, to: &body)
            body.append(UInt8(ascii: ":"))
        }
        return true
    }

    mutating func beginContainer(isObject: Bool, into body: inout [UInt8]) {
        open.append((isObject: isObject, isEmpty: true))
        body.append(UInt8(ascii: isObject ? "{" : "["))
    }

    /// False when the innermost open container is not of this kind.
    mutating func endContainer(isObject: Bool, into body: inout [UInt8]) -> Bool {
        guard let innermost = open.last, innermost.isObject == isObject else { return false }
        open.removeLast()
        body.append(UInt8(ascii: isObject ? "}" : "]"))
        return true
    }
}
