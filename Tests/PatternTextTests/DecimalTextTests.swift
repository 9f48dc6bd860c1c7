import PatternText
import Testing

@Suite struct DecimalTextTests {
    private func text(_ build: (inout [UInt8]) -> Void) -> String {
        var out = Array("<".utf8)
        build(&out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [Int64.min, -10, -1, 0, 7, 10, 99, 1_000_000, Int64.max])
    func writesWhatStringWrites(_ value: Int64) {
        #expect(text { DecimalText.append(value, to: &$0) } == "<" + String(value))
        #expect(text { DecimalText.append(Int(value), to: &$0) } == "<" + String(value))
    }

    @Test func padsWithZerosToAWidthAndNeverCutsDigits() {
        #expect(text { DecimalText.append(7, zeroPaddedTo: 2, to: &$0) } == "<07")
        #expect(text { DecimalText.append(0, zeroPaddedTo: 3, to: &$0) } == "<000")
        #expect(text { DecimalText.append(2026, zeroPaddedTo: 4, to: &$0) } == "<2026")
        #expect(text { DecimalText.append(12_345, zeroPaddedTo: 4, to: &$0) } == "<12345")
        #expect(text { DecimalText.append(-5, zeroPaddedTo: 2, to: &$0) } == "<-05")
    }
}
