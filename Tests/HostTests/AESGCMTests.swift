import Testing
import PatternCrypto

/// AES-256-GCM against the GCM specification's test cases 13 and 14 (McGrew & Viega) and a
/// vector computed by Python's `cryptography` (OpenSSL underneath too, but through its own
/// bindings), with associated data.
@Suite struct AESGCMTests {
    private func unhex(_ text: String) -> [UInt8] { Crypto.unhex(text)! }

    private func seal(_ key: [UInt8], _ nonce: [UInt8], _ plaintext: [UInt8], _ associated: [UInt8]) -> String? {
        plaintext.withUnsafeBytes { plain in
            associated.withUnsafeBytes { AESGCM.seal(key: key, nonce: nonce, plaintext: plain, associatedData: $0) }
        }.map { Crypto.hex($0) }
    }

    private func open(_ key: [UInt8], _ nonce: [UInt8], _ sealed: [UInt8], _ associated: [UInt8]) -> [UInt8]? {
        var out = [UInt8](repeating: 0xAA, count: sealed.count - AESGCM.tagSize)
        let opened = sealed.withUnsafeBytes { sealedBytes in
            associated.withUnsafeBytes { associatedBytes in
                out.withUnsafeMutableBytes {
                    AESGCM.open(key: key, nonce: nonce, ciphertextAndTag: sealedBytes, associatedData: associatedBytes, into: $0)
                }
            }
        }
        if !opened { #expect(out.allSatisfy { $0 == 0 }, "a failed open leaves no plaintext behind") }
        return opened ? out : nil
    }

    @Test func specificationTestCases() {
        let zeroKey = [UInt8](repeating: 0, count: 32), zeroNonce = [UInt8](repeating: 0, count: 12)
        #expect(seal(zeroKey, zeroNonce, [], []) == "530f8afbc74536b9a963b4f1c4cb738b")
        #expect(seal(zeroKey, zeroNonce, [UInt8](repeating: 0, count: 16), [])
                == "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919")
        #expect(open(zeroKey, zeroNonce, unhex("530f8afbc74536b9a963b4f1c4cb738b"), []) == [])
    }

    @Test func withAssociatedDataAsPythonComputesIt() {
        let key = Array(0..<32).map(UInt8.init), nonce = Array(0..<12).map(UInt8.init)
        let expected = "3763a26fa097ac3bfe24f4f9d49d0ba7a16445344ffb3302687796345ea0d2"
        #expect(seal(key, nonce, Array("pattern secrets".utf8), Array("associated".utf8)) == expected)
        #expect(open(key, nonce, unhex(expected), Array("associated".utf8)) == Array("pattern secrets".utf8))
        #expect(open(key, nonce, unhex(expected), Array("associatee".utf8)) == nil)
        var tampered = unhex(expected)
        tampered[3] ^= 1
        #expect(open(key, nonce, tampered, Array("associated".utf8)) == nil)
        #expect(open(key, nonce, Array(unhex(expected).dropLast()), Array("associated".utf8)) == nil)
    }
}
