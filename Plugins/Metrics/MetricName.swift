/// Prometheus naming rules for families and labels defined through the service.
enum MetricName {
    /// `[a-zA-Z_][a-zA-Z0-9_]*` (colons are left to recording rules).
    static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetterOrUnderscore(first) else { return false }
        return name.utf8.allSatisfy { isLetterOrUnderscore($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Why a family name is refused for `type`, or nil when it is fine.
    static func problem(family name: String, type: PrometheusText.FamilyType) -> String? {
        guard isValid(name) else { return "metric name \"\(name)\" must match [a-zA-Z_][a-zA-Z0-9_]*" }
        if name.hasPrefix("__") { return "metric name \"\(name)\" must not start with __" }
        let isTotal = name.hasSuffix("_total")
        if type == .counter && !isTotal { return "counter \"\(name)\" must end in _total" }
        if type != .counter && isTotal { return "only counters end in _total (\"\(name)\")" }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            return "metric name \"\(name)\" must not end in \(suffix)"
        }
        return nil
    }

    static func problem(label name: String) -> String? {
        guard isValid(name) else { return "label name \"\(name)\" must match [a-zA-Z_][a-zA-Z0-9_]*" }
        if name.hasPrefix("__") { return "label name \"\(name)\" must not start with __" }
        if name == "le" || name == "quantile" { return "label name \"\(name)\" is reserved" }
        return nil
    }

    private static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }
}
