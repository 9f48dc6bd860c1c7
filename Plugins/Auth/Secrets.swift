import AuthTokens
import Foundation
import PatternCrypto
import PluginKit

/// The HMAC keys of the plugin's JWTs: the current secret signs, previous ones still verify
/// (rotation). The current secret comes from `[auth] jwt_secret` / `JWT_SECRET`; without one, a
/// random 256-bit secret is generated on first start into `<data_dir>/jwt_secret` (mode 0600)
/// and read from there afterwards. Secrets are never logged.
struct SigningKeys: Sendable {
    let current: [UInt8]
    /// Current first, then the previous ones: the keys a token may be signed with.
    let verification: [[UInt8]]

    static let fileName = "jwt_secret"

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static func load(settings: AuthSettings, dataDirectory: String, log: (String) -> Void) throws(Unavailable) -> SigningKeys {
        let current: [UInt8]
        if let configured = settings.jwtSecret {
            current = Array(configured.utf8)
        } else {
            current = try stored(in: dataDirectory, log: log)
        }
        let previous = settings.previousJWTSecrets.map { Array($0.utf8) }.filter { $0 != current }
        return SigningKeys(current: current, verification: [current] + previous)
    }

    /// Reads the generated secret, creating it first (exclusively, so two processes starting at
    /// once agree on one secret).
    private static func stored(in directory: String, log: (String) -> Void) throws(Unavailable) -> [UInt8] {
        let path = directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            let secret = Array((Base64URL.encode(Crypto.randomBytes(32)) + "\n").utf8)
            let written = secret.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let synced = fsync(fd)
            close(fd)
            guard written == secret.count, synced == 0 else {
                unlink(path)
                throw Unavailable(description: "auth: cannot write \(path): \(String(cString: strerror(errno)))")
            }
            log("generated a new JWT signing secret in \(path) (mode 0600)")
        } else if errno != EEXIST {
            throw Unavailable(description: "auth: cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            chmod(path, 0o600)
            log("\(path) was readable by group or others; its mode is now 0600")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Unavailable(description: "auth: cannot read \(path)")
        }
        let secret = Array(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard secret.count >= 32 else {
            throw Unavailable(description: "auth: \(path) holds fewer than 32 bytes; delete it to generate a new secret")
        }
        return secret
    }
}
