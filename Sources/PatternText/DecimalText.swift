/// Integers as decimal digits appended to a byte buffer: the one integer-to-text routine of the
/// host, PluginKit and plugins. It runs per request (Content-Length, timestamps, rate-limit
/// headers), so digits go through a stack scratch buffer and nothing is allocated beyond the
/// growth of `out` (`String(n).utf8` allocates a string per call).
public enum DecimalText {
    /// Appends `value`, with a leading `-` when it is negative.
    public static func append(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumWidth: 1, to: &out)
    }

    public static func append(_ value: Int, to out: inout [UInt8]) {
        append(Int64(value), to: &out)
    }

    /// Appends `value` with its digits left-padded with zeros to `width` (`7`, width 2 → `07`);
    /// a value with more digits is written whole.
    public static func append(_ value: Int, zeroPaddedTo width: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(UInt64(value.magnitude), minimumWidth: width, to: &out)
    }

    /// UInt64.max has 20 digits.
    private static let maximumDigits = 20

    private static func appendDigits(_ value: UInt64, minimumWidth: Int, to out: inout [UInt8]) {
        let width = min(max(minimumWidth, 1), maximumDigits)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumDigits) { scratch in
            var start = scratch.count
            var rest = value
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            while scratch.count - start < width {
                start -= 1
                scratch[start] = UInt8(ascii: "0")
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[start...]))
        }
    }
}
