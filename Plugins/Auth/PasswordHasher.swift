import PatternCrypto

/// bcrypt (`$2b$`, libxcrypt) at the configured cost.
///
/// bcrypt reads at most 72 bytes and libxcrypt refuses 512 or more, while API.md allows
/// passwords up to 1024 bytes. So a password longer than 72 bytes is first reduced to the
/// base64url of its SHA-256 (43 bytes): every byte of a long password counts, and short
/// passwords hash exactly as plain bcrypt does.
///
/// Verifying for an unknown user checks the password against a dummy hash of the same cost,
/// made at start from random bytes, so "no such user" costs the same time as "wrong password".
struct PasswordHasher: Sendable {
    let cost: Int
    private let dummyHash: String

    static let minimumCharacters = 8
    static let maximumBytes = 1024

    init?(cost: Int) {
        // Text, not raw bytes: bcrypt refuses a NUL byte.
        guard let dummy = BCrypt.hash(password: Array(Base64URL.encode(Crypto.randomBytes(32)).utf8), cost: cost) else {
            return nil
        }
        self.cost = cost
        dummyHash = dummy
    }

    func hash(_ password: String) -> String? {
        BCrypt.hash(password: Self.input(password), cost: cost)
    }

    /// Checks `password` against `hash`, or against the dummy hash when there is no user
    /// (then always false).
    func verify(_ password: String, hash: String?) -> Bool {
        let matches = BCrypt.verify(password: Self.input(password), hash: hash ?? dummyHash)
        return hash != nil && matches
    }

    /// True when `hash` was made at another cost (it is upgraded at the next login).
    func needsRehash(_ hash: String) -> Bool {
        let parts = hash.split(separator: "$")
        return parts.count < 2 || Int(parts[1]) != cost
    }

    private static func input(_ password: String) -> [UInt8] {
        let bytes = Array(password.utf8)
        return bytes.count > 72 ? Array(Base64URL.encode(Crypto.sha256(bytes)).utf8) : bytes
    }

    /// API.md's password rule; nil when acceptable, else the problem.
    static func problem(with password: String) -> String? {
        if password.unicodeScalars.count < minimumCharacters { return "must be at least \(minimumCharacters) characters" }
        if password.utf8.count > maximumBytes { return "must be at most \(maximumBytes) bytes" }
        if password.utf8.contains(0) { return "must not contain NUL characters" }
        return nil
    }
}
