import COpenSSL
import CShims
import Glibc

/// The client side of one TLS connection over a non-blocking socket. Each step (handshake,
/// read, write) runs until OpenSSL needs the socket to become readable or writable and says
/// which, so epoll readiness drives it. The peer's certificate must chain to a trusted root
/// and name the host: `SSL_set1_host` for names (with SNI), the IP address itself for IP
/// literals (no SNI: RFC 6066 forbids literals there). ALPN offers only http/1.1.
final class TLSStream: ByteStream {
    private let ssl: OpaquePointer
    let fd: Int32
    private(set) var isHandshakeDone = false
    private let peer: String

    init(context: TLSClientContext, fd: Int32, host: String, address: IPAddress?) throws(OutboundFailure) {
        guard let ssl = SSL_new(context.context) else { throw OutboundFailure(.tls, "TLS setup failed: \(TLSError.text())") }
        self.ssl = ssl
        self.fd = fd
        peer = host
        SSL_set_connect_state(ssl)
        let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
        let configured: Bool
        if let address {
            configured = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), address.description) == 1
        } else {
            configured = SSL_set1_host(ssl, host) == 1 && pattern_ssl_set_sni(ssl, host) == 1
        }
        guard configured, SSL_set_fd(ssl, fd) == 1, SSL_set_alpn_protos(ssl, alpn, UInt32(alpn.count)) == 0 else {
            throw OutboundFailure(.tls, "TLS setup for \(host) failed: \(TLSError.text())")
        }
    }

    deinit { SSL_free(ssl) }

    /// Advances the handshake: `.bytes(0)` once it is done.
    func handshake() -> StreamIO {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isHandshakeDone = true
            return .bytes(0)
        }
        switch outcome(result) {
        case .failed(let reason): return .failed(reason)
        case .closed: return .failed(verificationProblem() ?? "the server \(peer) closed the connection during the TLS handshake")
        case let other: return other
        }
    }

    /// The protocol ALPN settled on, empty when the server chose none.
    var negotiatedProtocol: String {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> StreamIO {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return count > 0 ? .bytes(Int(count)) : outcome(count)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> StreamIO {
        guard bytes.count > 0 else { return .bytes(0) }
        ERR_clear_error()
        let count = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        return count > 0 ? .bytes(Int(count)) : outcome(count)
    }

    /// Whether decrypted bytes wait inside OpenSSL (the socket will not report them readable).
    var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    private func outcome(_ result: Int32) -> StreamIO {
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let code = shim_errno()
            if ERR_peek_error() == 0 && (result == 0 || code == 0) { return .closed }
            if code == EAGAIN || code == EINTR { return .wantRead }
            return .failed(code != 0 ? String(cString: strerror(code)) : TLSError.text())
        default:
            if let problem = verificationProblem() { return .failed(problem) }
            return .failed(TLSError.text())
        }
    }

    /// Why the peer's certificate was refused, when it was.
    private func verificationProblem() -> String? {
        let result = SSL_get_verify_result(ssl)
        guard result != X509_V_OK else { return nil }
        ERR_clear_error()
        return "the certificate of \(peer) was not accepted: \(String(cString: X509_verify_cert_error_string(result)))"
    }
}
