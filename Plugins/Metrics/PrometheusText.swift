/// Writes the Prometheus text exposition format 0.0.4: HELP and TYPE lines, samples with
/// escaped label values, Go-style floats, `\n` after every line.
struct PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    enum FamilyType: String { case counter, gauge, histogram }

    private(set) var output = ""

    init() { output.reserveCapacity(16384) }

    mutating func family(_ name: String, _ type: FamilyType, help: String) {
        output += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        output += name
        if !labels.isEmpty {
            output += "{"
            for (index, label) in labels.enumerated() {
                if index > 0 { output += "," }
                output += "\(label.0)=\"\(Self.escapeLabelValue(label.1))\""
            }
            output += "}"
        }
        output += " \(Self.format(value))\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], count: UInt64) {
        sample(name, labels, Double(count))
    }

    /// Buckets (cumulative, with `le="+Inf"`), `_sum` and `_count` of one histogram series.
    mutating func histogram(_ name: String, _ labels: [(String, String)], bounds: [Double],
                            _ snapshot: HistogramCells.Snapshot) {
        for (index, count) in snapshot.cumulative.enumerated() {
            let bound = index < bounds.count ? Self.format(bounds[index]) : "+Inf"
            sample(name + "_bucket", labels + [("le", bound)], count: count)
        }
        sample(name + "_sum", labels, snapshot.sum)
        sample(name + "_count", labels, count: snapshot.count)
    }

    /// HELP text: backslash and line feed escaped.
    static func escapeHelp(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") }) else { return text }
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Label values: backslash, double quote and line feed escaped.
    static func escapeLabelValue(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\"") })
        else { return text }
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"": escaped += "\\\""
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Whole numbers without a fraction, others in Swift's shortest round-trip form (which
    /// Go's ParseFloat reads), and `+Inf`, `-Inf`, `NaN`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }
}
