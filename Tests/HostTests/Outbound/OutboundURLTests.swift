import Testing

@testable import Host

@Suite struct OutboundURLTests {
    @Test func namesLiteralsPortsAndTargets() throws {
        let plain = try OutboundURL("HTTP://Example.COM/a/b?c=d#frag")
        #expect(plain.scheme == .http && plain.host == "example.com" && plain.port == 80 && plain.target == "/a/b?c=d")
        #expect(plain.authority == "example.com" && plain.origin == "http://example.com" && plain.address == nil)
        let v6 = try OutboundURL("https://[::1]:8443")
        #expect(v6.host == "::1" && v6.port == 8443 && v6.target == "/" && v6.authority == "[::1]:8443")
        #expect(v6.address == IPAddress("::1"))
        let v4 = try OutboundURL("https://10.1.2.3?q")
        #expect(v4.address == IPAddress("10.1.2.3") && v4.target == "/?q" && v4.port == 443)
    }

    @Test func refusesWhatIsNotAPlainHTTPURL() {
        for text in ["ftp://h/", "//h/", "http://", "http://user:pw@h/", "http://h:0/", "http://h:65536/", "http://h:8x/",
                     "http://[::1/", "http://[10.0.0.1]/", "http://1.2.3/", "http://999.1.1.1/", "http://h h/", "http://h/\u{e9}",
                     "http://-h/", "http://" + String(repeating: "a", count: 64) + ".com/", "http://h/\r\nX: y"] {
            #expect(throws: OutboundURL.Invalid.self, "\(text)") { try OutboundURL(text) }
        }
    }

    @Test func resolvesRedirectLocations() throws {
        let base = try OutboundURL("https://api.example.com/v1/models?x=1")
        #expect(try base.resolving("/v2").target == "/v2")
        #expect(try base.resolving("other").target == "/v1/other")
        #expect(try base.resolving("//cdn.example.com/f").origin == "https://cdn.example.com")
        #expect(try base.resolving("http://127.0.0.1:8080/x").origin == "http://127.0.0.1:8080")
    }
}
