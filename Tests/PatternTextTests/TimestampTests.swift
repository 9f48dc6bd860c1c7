import Foundation
import PatternText
import Testing

@Suite struct TimestampTests {
    @Test func formatsRFC3339InUTCWithMilliseconds() {
        #expect(Timestamp.rfc3339(milliseconds: 1_795_000_000_123) == "2026-11-18T11:06:40.123Z")
        #expect(Timestamp.rfc3339(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 1_795_000_000.1239)) == "2026-11-18T11:06:40.123Z")
        var out = Array("t=".utf8)
        Timestamp.appendRFC3339(milliseconds: 951_782_400_005, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "t=2000-02-29T00:00:00.005Z")
    }

    @Test func nowIsTheWallClock() {
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let now = Timestamp.nowMilliseconds()
        #expect(now >= before - 1 && now <= before + 1000)
        #expect(Timestamp.parse(Timestamp.rfc3339()) != nil)
    }

    @Test func parsesOffsetsAndFractions() {
        #expect(Timestamp.parse("2026-11-18T11:06:40.123Z") == 1_795_000_000_123)
        #expect(Timestamp.parse("2026-11-18T12:06:40.123+01:00") == 1_795_000_000_123)
        #expect(Timestamp.parse("2026-11-18t11:06:40z") == 1_795_000_000_000)
        #expect(Timestamp.parse("2026-11-18T11:06:40.1Z") == 1_795_000_000_100)
        #expect(Timestamp.parse("2026-11-18T11:06:40.123999Z") == 1_795_000_000_123)
    }

    @Test(arguments: ["tomorrow", "2026-02-30T00:00:00Z", "2026-11-18 09:46:40Z", "2026-11-18T09:46:40", "",
                      "2026-11-18T11:06:40.Z", "2026-11-18T11:06:40+0100", "2026-13-01T00:00:00Z"])
    func refusesWhatIsNotRFC3339(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func writesTheHTTPDate() {
        #expect(String(decoding: Timestamp.httpDate(epochSeconds: 784_111_777), as: UTF8.self)
            == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
