import COpenSSL
import Foundation
import Glibc
import Testing

@testable import Host

/// The client's TLS state machine over a socketpair, against an OpenSSL server driven by the
/// test, step by step: the handshake waits for the socket (want-read) until the server has
/// answered, then data flows; a wrong name, a wrong IP or an untrusted certificate fails it.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs the openssl command"))
struct TLSStreamTests {
    /// A self-signed certificate for localhost and 127.0.0.1, made by the openssl command.
    final class Certificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-tests-\(UUID().uuidString)").path
        var key: String { directory + "/key.pem" }
        var cert: String { directory + "/cert.pem" }

        init() throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                 "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// A connected pair of non-blocking sockets and an OpenSSL server on the second.
    final class Pair {
        let clientFD: Int32
        let serverFD: Int32
        let serverContext: OpaquePointer
        let server: OpaquePointer

        init(_ certificate: Certificate) {
            var fds: [Int32] = [0, 0]
            precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds) == 0)
            clientFD = fds[0]
            serverFD = fds[1]
            serverContext = SSL_CTX_new(TLS_server_method())!
            SSL_CTX_use_certificate_file(serverContext, certificate.cert, SSL_FILETYPE_PEM)
            SSL_CTX_use_PrivateKey_file(serverContext, certificate.key, SSL_FILETYPE_PEM)
            server = SSL_new(serverContext)!
            SSL_set_fd(server, serverFD)
            SSL_set_accept_state(server)
        }

        deinit {
            SSL_free(server)
            SSL_CTX_free(serverContext)
            close(clientFD)
            close(serverFD)
        }

        /// Alternates client and server handshake steps; the client's results in order.
        func handshake(_ client: TLSStream) -> [StreamIO] {
            var steps: [StreamIO] = []
            for _ in 0..<20 {
                let step = client.handshake()
                steps.append(step)
                switch step {
                case .bytes, .failed, .closed: return steps
                default: _ = SSL_do_handshake(server)
                }
            }
            return steps
        }
    }

    @Test func handshakeWaitsForTheServerThenDataFlows() throws {
        let certificate = try Certificate()
        let pair = Pair(certificate)
        let context = try TLSClientContext(caFile: certificate.cert)
        let client = try TLSStream(context: context, fd: pair.clientFD, host: "localhost", address: nil)
        #expect(!client.isHandshakeDone)
        let steps = pair.handshake(client)
        #expect(steps.first == .wantRead)
        #expect(steps.last == .bytes(0) && client.isHandshakeDone)
        #expect(client.negotiatedProtocol == "")

        #expect(Array("ping".utf8).withUnsafeBytes { client.write($0) } == .bytes(4))
        var received = [UInt8](repeating: 0, count: 16)
        var count: Int32 = 0
        for _ in 0..<4 where count <= 0 { count = SSL_read(pair.server, &received, 16) }
        #expect(count == 4 && Array(received[0..<4]) == Array("ping".utf8))
        #expect(SSL_write(pair.server, "pong", 4) == 4)
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(buffer.withUnsafeMutableBytes { client.read(into: $0) } == .bytes(4))
        #expect(buffer.withUnsafeMutableBytes { client.read(into: $0) } == .wantRead)
        SSL_shutdown(pair.server)
        #expect(buffer.withUnsafeMutableBytes { client.read(into: $0) } == .closed)
    }

    @Test func anIPLiteralIsCheckedAgainstTheCertificatesAddresses() throws {
        let certificate = try Certificate()
        let context = try TLSClientContext(caFile: certificate.cert)
        let good = Pair(certificate)
        let matching = try TLSStream(context: context, fd: good.clientFD, host: "127.0.0.1", address: IPAddress("127.0.0.1"))
        #expect(good.handshake(matching).last == .bytes(0))
        let bad = Pair(certificate)
        let other = try TLSStream(context: context, fd: bad.clientFD, host: "127.0.0.2", address: IPAddress("127.0.0.2"))
        guard case .failed(let reason)? = bad.handshake(other).last else { Issue.record("handshake did not fail"); return }
        #expect(reason.contains("IP address mismatch"), "\(reason)")
    }

    @Test func aWrongNameOrAnUntrustedCertificateFails() throws {
        let certificate = try Certificate()
        let trusted = try TLSClientContext(caFile: certificate.cert)
        let wrongName = Pair(certificate)
        let named = try TLSStream(context: trusted, fd: wrongName.clientFD, host: "api.example.com", address: nil)
        guard case .failed(let mismatch)? = wrongName.handshake(named).last else { Issue.record("no failure"); return }
        #expect(mismatch.contains("hostname mismatch") && mismatch.contains("api.example.com"), "\(mismatch)")

        let untrustedPair = Pair(certificate)
        let untrusted = try TLSStream(context: try TLSClientContext(caFile: nil), fd: untrustedPair.clientFD,
                                      host: "localhost", address: nil)
        guard case .failed(let selfSigned)? = untrustedPair.handshake(untrusted).last else { Issue.record("no failure"); return }
        #expect(selfSigned.contains("self-signed certificate"), "\(selfSigned)")
    }

    @Test func aCAFileWithoutCertificatesIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).pem").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("nothing here\n".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: TLSClientContext.SetupError.self) { try TLSClientContext(caFile: path) }
    }
}
