import COpenSSL

/// The one OpenSSL client context every outbound TLS connection is made from: the system's
/// trusted certificates plus `[outbound] ca_file`, peer verification on, TLS 1.2 or later.
// @unchecked: the SSL_CTX is configured in init and only read afterwards (SSL_new), which
// OpenSSL allows from any thread.
final class TLSClientContext: @unchecked Sendable {
    let context: OpaquePointer

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    init(caFile: String?) throws(SetupError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw SetupError(description: TLSError.text()) }
        self.context = context
        guard pattern_ssl_ctx_configure_client(context) == 1, SSL_CTX_set_default_verify_paths(context) == 1 else {
            throw SetupError(description: "TLS client setup failed: \(TLSError.text())")
        }
        if let caFile, SSL_CTX_load_verify_locations(context, caFile, nil) != 1 {
            throw SetupError(description: "[outbound] ca_file \(caFile): no PEM certificate could be loaded (\(TLSError.text()))")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
    }

    deinit { SSL_CTX_free(context) }
}

/// OpenSSL's error queue as one line (it is per thread: cleared before each operation).
enum TLSError {
    static func text() -> String {
        var lines: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return lines.isEmpty ? "unknown TLS error" : lines.joined(separator: "; ")
    }
}
