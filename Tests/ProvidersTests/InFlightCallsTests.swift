import Testing
import ProvidersInFlight

/// The bound on model calls in flight: once full, the next call is refused and those in
/// flight are untouched; a call that ends makes room again.
@Suite struct InFlightCallsTests {
    @Test func pastCapacityTheNextCallIsRefusedAndOthersGoOn() {
        let calls = InFlightCalls<String>(capacity: 3)
        for id in 1...3 { #expect(calls.admit("call \(id)", id: UInt64(id))) }

        #expect(!calls.admit("call 4", id: 4))
        #expect(calls.call(4) == nil)
        #expect((1...3).map { calls.call(UInt64($0)) } == ["call 1", "call 2", "call 3"])

        calls.remove(2)
        #expect(calls.admit("call 5", id: 5))
        #expect(calls.call(5) == "call 5")
    }
}
