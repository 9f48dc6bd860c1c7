// Password hashing with bcrypt ("$2b$"), through libxcrypt via CShims' bcrypt shim.
//
// Note: bcrypt uses at most the first 72 bytes of a password (two passwords that share
// their first 72 bytes verify alike), and libxcrypt refuses passphrases of 512 bytes or
// more (hash returns nil, verify false). Callers bound password lengths before this.
import CShims

public enum BCrypt {
    /// The cost range bcrypt accepts (2^cost rounds).
    public static let costRange = 4...31

    /// A new "$2b$<cost>$<salt><hash>" string (60 characters) with a fresh 16-byte random
    /// salt, or nil when the password contains a NUL byte, is too long for libxcrypt, or the
    /// cost is outside 4...31.
    public static func hash(password: [UInt8], cost: Int) -> String? {
        guard costRange.contains(cost), !password.contains(0) else { return nil }
        var random = Crypto.randomBytes(16)
        defer { Crypto.wipe(&random) }
        var setting = [CChar](repeating: 0, count: Int(SHIM_BCRYPT_SETTING_CAP))
        let made = random.withUnsafeBufferPointer { randomBuffer in
            setting.withUnsafeMutableBufferPointer { out in
                shim_bcrypt_gensalt(UInt(cost), randomBuffer.baseAddress, Int32(randomBuffer.count),
                                    out.baseAddress, Int32(out.count))
            }
        }
        guard made == 0 else { return nil }
        guard let hashed = crypt(password: password, setting: setting), hashed.hasPrefix("$2b$") else {
            return nil
        }
        return hashed
    }

    /// True when `password` matches `hash` ("$2a$", "$2b$" or "$2y$"). Any other method,
    /// a malformed hash or a password with a NUL byte gives false. The final comparison is
    /// constant-time.
    public static func verify(password: [UInt8], hash: String) -> Bool {
        guard !password.contains(0), !hash.utf8.contains(0) else { return false }
        guard hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$") || hash.hasPrefix("$2y$") else {
            return false
        }
        let setting = Array(hash.utf8CString)
        guard let computed = crypt(password: password, setting: setting) else { return false }
        return Crypto.constantTimeEquals(Array(computed.utf8), Array(hash.utf8))
    }

    /// crypt_rn(password, setting); `setting` is NUL-terminated.
    private static func crypt(password: [UInt8], setting: [CChar]) -> String? {
        var phrase = password.map { CChar(bitPattern: $0) }
        phrase.append(0)
        defer { Crypto.wipe(&phrase) }
        var output = [CChar](repeating: 0, count: Int(SHIM_BCRYPT_OUTPUT_CAP))
        let length = phrase.withUnsafeBufferPointer { phraseBuffer in
            setting.withUnsafeBufferPointer { settingBuffer in
                output.withUnsafeMutableBufferPointer { out in
                    shim_bcrypt_crypt(phraseBuffer.baseAddress, settingBuffer.baseAddress,
                                      out.baseAddress, Int32(out.count))
                }
            }
        }
        guard length > 0 else { return nil }
        return String(decoding: output[..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
