// AES-256-GCM (NIST SP 800-38D) over OpenSSL's EVP interface: 32-byte keys, 12-byte nonces,
// 16-byte tags. Stateless; any thread.
import COpenSSL

public enum AESGCM {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16

    /// `ciphertext | tag` of `plaintext` under `key` and `nonce`, authenticating `associatedData`;
    /// nil only when OpenSSL fails. A nonce must never be used twice with one key.
    public static func seal(key: [UInt8], nonce: [UInt8], plaintext: UnsafeRawBufferPointer,
                            associatedData: UnsafeRawBufferPointer) -> [UInt8]? {
        precondition(key.count == keySize && nonce.count == nonceSize, "AES-256-GCM: bad key or nonce size")
        guard plaintext.count <= Int(Int32.max) - tagSize, associatedData.count <= Int(Int32.max) else { return nil }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagSize)
        let sealed = out.withUnsafeMutableBytes { out in
            withCipher(key: key, nonce: nonce, encrypting: true, associatedData: associatedData) { context in
                guard update(context, plaintext, into: out.baseAddress!, encrypting: true),
                      final(context, into: out.baseAddress!.advanced(by: plaintext.count), encrypting: true)
                else { return false }
                return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagSize),
                                           out.baseAddress!.advanced(by: plaintext.count)) == 1
            }
        }
        return sealed ? out : nil
    }

    /// Writes the plaintext of `ciphertextAndTag` into `out` (which must hold
    /// `ciphertextAndTag.count - tagSize` bytes) when the tag authenticates it and
    /// `associatedData`; false otherwise, and then `out` is zeroed, so no unauthenticated
    /// plaintext is left behind.
    public static func open(key: [UInt8], nonce: [UInt8], ciphertextAndTag: UnsafeRawBufferPointer,
                            associatedData: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(key.count == keySize && nonce.count == nonceSize, "AES-256-GCM: bad key or nonce size")
        guard ciphertextAndTag.count >= tagSize, ciphertextAndTag.count <= Int(Int32.max),
              associatedData.count <= Int(Int32.max) else { return false }
        let count = ciphertextAndTag.count - tagSize
        precondition(out.count >= count, "AES-256-GCM: output buffer too small")
        var tag = Array(ciphertextAndTag[count...])
        var spare: UInt8 = 0 // where an empty plaintext "goes": OpenSSL wants a pointer even then
        let opened = withUnsafeMutableBytes(of: &spare) { spare in
            withCipher(key: key, nonce: nonce, encrypting: false, associatedData: associatedData) { context in
                let target = out.baseAddress ?? spare.baseAddress!
                guard update(context, UnsafeRawBufferPointer(rebasing: ciphertextAndTag[..<count]), into: target,
                             encrypting: false),
                      tag.withUnsafeMutableBytes({
                          EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), $0.baseAddress) == 1
                      })
                else { return false }
                return final(context, into: target.advanced(by: count), encrypting: false)
            }
        }
        if !opened, count > 0 { out.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: count) }
        return opened
    }

    /// A cipher context set up with key, nonce and associated data, for `body`.
    private static func withCipher(key: [UInt8], nonce: [UInt8], encrypting: Bool,
                                   associatedData: UnsafeRawBufferPointer,
                                   _ body: (OpaquePointer) -> Bool) -> Bool {
        guard let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) } // also wipes the expanded key
        let initialised = key.withUnsafeBufferPointer { keyBytes in
            nonce.withUnsafeBufferPointer { nonceBytes in
                encrypting
                    ? EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, keyBytes.baseAddress, nonceBytes.baseAddress)
                    : EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, keyBytes.baseAddress, nonceBytes.baseAddress)
            }
        }
        guard initialised == 1 else { return false }
        if associatedData.count > 0 {
            var length: Int32 = 0
            let base = associatedData.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let added = encrypting
                ? EVP_EncryptUpdate(context, nil, &length, base, Int32(associatedData.count))
                : EVP_DecryptUpdate(context, nil, &length, base, Int32(associatedData.count))
            guard added == 1 else { return false }
        }
        return body(context)
    }

    /// Runs `input` through the cipher into `output` (GCM is a stream mode: as many bytes out as in).
    private static func update(_ context: OpaquePointer, _ input: UnsafeRawBufferPointer,
                               into output: UnsafeMutableRawPointer, encrypting: Bool) -> Bool {
        guard input.count > 0 else { return true }
        var length: Int32 = 0
        let target = output.assumingMemoryBound(to: UInt8.self)
        let source = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let ok = encrypting
            ? EVP_EncryptUpdate(context, target, &length, source, Int32(input.count))
            : EVP_DecryptUpdate(context, target, &length, source, Int32(input.count))
        return ok == 1 && Int(length) == input.count
    }

    /// Finishes; when decrypting, this is where the tag is checked.
    private static func final(_ context: OpaquePointer, into output: UnsafeMutableRawPointer, encrypting: Bool) -> Bool {
        var length: Int32 = 0
        let target = output.assumingMemoryBound(to: UInt8.self)
        let ok = encrypting ? EVP_EncryptFinal_ex(context, target, &length) : EVP_DecryptFinal_ex(context, target, &length)
        return ok == 1 && length == 0
    }
}
