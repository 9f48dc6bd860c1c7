import PluginABI
import Testing
@testable import PluginKit

/// `Request.exchangeSummary` on a host older than ABI 1.2 (an http table that ends before
/// `exchange_summary`): the answers come from the single 1.0 accessors, and the missing slot
/// is never read.
@Suite struct ExchangeSummaryTests {
    private static let method: StaticString = "PATCH"

    @Test func anOlderHostIsAskedOneQuestionAtATime() {
        var api = pattern_http_api()
        api.struct_size = UInt32(MemoryLayout<pattern_http_api>.offset(of: \.exchange_summary)!)
        api.method = { _ in
            pattern_str(ptr: UnsafeRawPointer(ExchangeSummaryTests.method.utf8Start).assumingMemoryBound(to: CChar.self),
                        len: ExchangeSummaryTests.method.utf8CodeUnitCount)
        }
        api.route_template = { _ in pattern_str(ptr: UnsafePointer(bitPattern: 0x1000), len: 3) }
        api.body = { _ in pattern_str(ptr: nil, len: 42) }
        api.response_status = { _ in 409 }
        api.response_body_size = { _ in 17 }
        api.elapsed_seconds = { _ in 0.25 }
        api.exchange_summary = { _, _ in
            Issue.record("a 1.1 host has no exchange_summary slot")
            return PATTERN_OK
        }
        let summary = withUnsafePointer(to: &api) { http in
            Request(handle: OpaquePointer(bitPattern: 1)!, http: http).exchangeSummary
        }
        #expect(String(decoding: summary.methodBytes, as: UTF8.self) == "PATCH")
        #expect(summary.routeID == 0x1000 && summary.status == 409)
        #expect(summary.requestBodySize == 42 && summary.responseBodySize == 17 && summary.elapsedSeconds == 0.25)
    }
}
