import Testing

@testable import Host

/// The per-address connection cap's table (the transport's side is in test_hardening_transport.py).
@Suite struct ConnectionsPerAddressTests {
    @Test func addressesAreCappedAndFreedIndependently() {
        let table = ConnectionsPerAddress(limit: 2, exempt: ["::ffff:10.0.0.9"])
        #expect(table.admit("10.0.0.1", now: 0) == .admitted)
        #expect(table.admit("10.0.0.1", now: 0) == .admitted)
        #expect(table.admit("10.0.0.1", now: 0) == .refused(log: true))
        #expect(table.admit("10.0.0.1", now: 500) == .refused(log: false))
        #expect(table.admit("10.0.0.1", now: 1000) == .refused(log: true))
        #expect(table.admit("10.0.0.2", now: 0) == .admitted)
        table.release("10.0.0.1")
        #expect(table.admit("10.0.0.1", now: 0) == .admitted)
        // The exemption list is normalised: the IPv4-mapped form names the same peer.
        for _ in 0..<5 { #expect(table.admit("10.0.0.9", now: 0) == .exempt) }
        table.release("10.0.0.2")
        #expect(table.connections(of: "10.0.0.2") == 0)
    }

    @Test func addressesAreNormalised() {
        #expect(ClientAddress.normalized("::FFFF:127.0.0.1") == "127.0.0.1")
        #expect(ClientAddress.normalized("2001:DB8::0001") == "2001:db8::1")
        #expect(ClientAddress.normalized("127.1") == nil)
        #expect(ClientAddress.normalized("localhost") == nil)
    }
}
