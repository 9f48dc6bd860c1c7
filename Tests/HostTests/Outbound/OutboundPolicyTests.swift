import PluginABI
import Testing

@testable import Host

@Suite struct OutboundPolicyTests {
    let strict = OutboundPolicy()

    @Test func internalAddressesAreRefusedByDefault() {
        for text in ["127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.0.1", "169.254.169.254",
                     "100.64.0.1", "100.127.255.255", "0.0.0.0", "::1", "::", "fc00::1", "fd12::1", "fe80::1", "::ffff:127.0.0.1",
                     "::ffff:10.1.1.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:a9fe:a9fe::1", "224.0.0.1", "ff02::1"] {
            #expect(strict.refusal(of: IPAddress(text)!) != nil, "\(text)")
        }
    }

    @Test func publicAddressesPass() {
        for text in ["93.184.216.34", "172.32.0.1", "100.128.0.1", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1"] {
            #expect(strict.refusal(of: IPAddress(text)!) == nil, "\(text)")
        }
    }

    @Test func allowListAllowPrivateAndDenyAll() {
        let allowLoopback = OutboundPolicy(allow: [IPNetwork("127.0.0.1/32")!])
        #expect(allowLoopback.refusal(of: IPAddress("127.0.0.1")!) == nil)
        #expect(allowLoopback.refusal(of: IPAddress("::ffff:127.0.0.1")!) == nil)
        #expect(allowLoopback.refusal(of: IPAddress("127.0.0.2")!) != nil)
        #expect(allowLoopback.refusal(of: IPAddress("::1")!) != nil)
        #expect(OutboundPolicy(allowPrivateNetworks: true).refusal(of: IPAddress("10.0.0.1")!) == nil)
        let closed = OutboundPolicy(allowPrivateNetworks: true, allow: [IPNetwork("0.0.0.0/0")!], denyAll: true)
        #expect(closed.refusal(of: IPAddress("8.8.8.8")!) == OutboundPolicy.disabledMessage)
    }

    @Test func messagesNameTheRangeAndTheRemedy() {
        let message = strict.refusal(of: IPAddress("169.254.169.254")!) ?? ""
        #expect(message.contains("link-local") && message.contains("[outbound] allow"))
    }

    @Test func networksParse() {
        #expect(IPNetwork("10.0.0.0/8")!.contains(IPAddress("10.200.0.1")!))
        #expect(!IPNetwork("10.0.0.0/8")!.contains(IPAddress("11.0.0.1")!))
        #expect(IPNetwork("fc00::/7")!.contains(IPAddress("fdff::1")!))
        #expect(IPNetwork("::1")!.prefixLength == 128)
        for bad in ["10.0.0.0/33", "::/129", "nope", "10.0.0.0/", "10.0.0.0/-1"] { #expect(IPNetwork(bad) == nil, "\(bad)") }
    }

    @Test func outcomesMatchTheHeader() {
        #expect(OutboundOutcome.ok.rawValue == PATTERN_CLIENT_OK && OutboundOutcome.refused.rawValue == PATTERN_CLIENT_REFUSED)
        #expect(OutboundOutcome.dns.rawValue == PATTERN_CLIENT_DNS && OutboundOutcome.connect.rawValue == PATTERN_CLIENT_CONNECT)
        #expect(OutboundOutcome.tls.rawValue == PATTERN_CLIENT_TLS && OutboundOutcome.timeout.rawValue == PATTERN_CLIENT_TIMEOUT)
        #expect(OutboundOutcome.tooLarge.rawValue == PATTERN_CLIENT_TOO_LARGE && OutboundOutcome.protocol.rawValue == PATTERN_CLIENT_PROTOCOL)
        #expect(OutboundOutcome.cancelled.rawValue == PATTERN_CLIENT_CANCELLED && OutboundOutcome.shutdown.rawValue == PATTERN_CLIENT_SHUTDOWN)
    }

    @Test func proxiesAndExceptions() throws {
        var problems: [String] = []
        let proxies = ProxySettings(environment: ["HTTPS_PROXY": "proxy.internal:3128", "NO_PROXY": "example.org, .corp, 10.0.0.0/8",
                                                  "HTTP_PROXY": "http://ignored:1"], problems: &problems)
        #expect(problems.isEmpty && proxies.http == nil)
        #expect(proxies.proxy(for: try OutboundURL("https://api.example.com/"))?.authority == "proxy.internal:3128")
        #expect(proxies.proxy(for: try OutboundURL("https://example.org/")) == nil)
        #expect(proxies.proxy(for: try OutboundURL("https://a.example.org/")) == nil)
        #expect(proxies.proxy(for: try OutboundURL("https://x.corp/")) == nil)
        #expect(proxies.proxy(for: try OutboundURL("https://10.1.1.1/")) == nil)
        #expect(proxies.proxy(for: try OutboundURL("http://api.example.com/")) == nil)
        _ = ProxySettings(environment: ["https_proxy": "https://user:pw@p:1"], problems: &problems)
        #expect(problems.count == 1)
    }
}
