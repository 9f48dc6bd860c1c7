import PluginABI
import Synchronization
import Testing
@testable import PluginKit

/// PluginKit's HTTPClient against a fake client table: the request reaches the host as the
/// header describes it, callbacks assemble the response, a failure throws, and a host table
/// that ends before `client` (older than 1.4) gives no client.
@Suite struct HTTPClientTests {
    /// What the fake host's start saw, and how it answers.
    struct Seen: Sendable {
        var method = "", url = "", headers: [String] = [], body = "", flags: UInt32 = 0, timeout: UInt32 = 0
    }

    static let seen = Mutex(Seen())
    static let failNext = Atomic<Bool>(false)

    static func table() -> pattern_client_api {
        var api = pattern_client_api()
        api.struct_size = UInt32(MemoryLayout<pattern_client_api>.size)
        api.start = { request, out in
            let request = request!.pointee
            HTTPClientTests.seen.withLock {
                $0 = Seen(method: request.method.string, url: request.url.string,
                          headers: (0..<request.header_count).map { "\(request.headers[$0].name.string)=\(request.headers[$0].value.string)" },
                          body: request.body.string, flags: request.flags, timeout: request.total_timeout_ms)
            }
            out!.pointee = 7
            let fail = HTTPClientTests.failNext.exchange(false, ordering: .relaxed)
            let name = Array("Content-Type".utf8), value = Array("text/plain".utf8)
            name.withUnsafeBufferPointer { n in
                value.withUnsafeBufferPointer { v in
                    var header = pattern_header(name: pattern_str(ptr: UnsafeRawPointer(n.baseAddress!).assumingMemoryBound(to: CChar.self), len: n.count),
                                                value: pattern_str(ptr: UnsafeRawPointer(v.baseAddress!).assumingMemoryBound(to: CChar.self), len: v.count))
                    if !fail { request.on_head!(7, 201, &header, 1, request.userdata) }
                }
            }
            if !fail {
                for piece in ["hel", "lo"] { withABIString(piece) { request.on_data!(7, $0, request.userdata) } }
            }
            withABIString(fail ? "no connection within 10 ms" : "") {
                request.on_complete!(7, fail ? PATTERN_CLIENT_TIMEOUT : PATTERN_CLIENT_OK, $0, request.userdata)
            }
            return PATTERN_OK
        }
        api.cancel = { _ in PATTERN_NOT_FOUND }
        api.pause = { _, _ in PATTERN_NOT_FOUND }
        return api
    }

    @Test func sendCarriesTheRequestAndAssemblesTheResponse() async throws {
        let table = UnsafeMutablePointer<pattern_client_api>.allocate(capacity: 1)
        table.initialize(to: Self.table())
        let client = HTTPClient(api: ClientTable(raw: table))
        var request = HTTPClient.Request(method: "POST", url: "https://api.example.com/v1", headers: [("Authorization", "Bearer k")],
                                         body: Array("{}".utf8))
        request.totalTimeout = 1234
        request.followRedirects = true
        let response = try await client.send(request)
        #expect(response.status == 201 && String(decoding: response.body, as: UTF8.self) == "hello")
        #expect(response.header("content-type") == "text/plain")
        let seen = Self.seen.withLock { $0 }
        #expect(seen.method == "POST" && seen.url == "https://api.example.com/v1" && seen.body == "{}")
        #expect(seen.headers == ["Authorization=Bearer k"] && seen.timeout == 1234)
        #expect(seen.flags == UInt32(PATTERN_CLIENT_FOLLOW_REDIRECTS))

        Self.failNext.store(true, ordering: .relaxed)
        await #expect(throws: HTTPClient.Failure.self) { try await client.send(request) }
    }

    @Test func anOlderHostHasNoClient() {
        var host = pattern_host_v1()
        host.struct_size = UInt32(MemoryLayout<pattern_host_v1>.offset(of: \.responses)!)
        let plugin = withUnsafePointer(to: &host) { PluginHost(table: $0, handle: OpaquePointer(bitPattern: 1)!).client }
        #expect(plugin == nil)
    }
}
