import Testing
@testable import Host

/// The sealed-text format and every way a value must fail to open.
@Suite struct SecretKeyringTests {
    private let key = KeyEncryptionKey(bytes: Array(0..<32).map(UInt8.init))
    private let otherKey = KeyEncryptionKey.generate()
    private let associated = Array("providers:prov_1:api_key".utf8)

    private func sealed(_ plaintext: String, by keyring: SecretKeyring? = nil) -> String {
        (keyring ?? SecretKeyring(sealing: key)).seal(Array(plaintext.utf8), associatedData: associated)!
    }

    @Test func keyIdAndSealingKeyAreDerivedAsPythonComputesThem() {
        #expect(key.id == "4624a3b2")
        #expect(key.sealingKey == [0xfd, 0x9f, 0xb2, 0x11, 0x67, 0xde, 0x6a, 0x7b, 0x75, 0x0d, 0x8d, 0xe3, 0xbd, 0xea,
                                   0x62, 0xa7, 0xe3, 0x57, 0xb5, 0x6c, 0xdc, 0xe0, 0x2b, 0xd6, 0x52, 0xea, 0xe0, 0xcd,
                                   0x5a, 0x54, 0x51, 0xf6])
        #expect("\(key)" == "key id 4624a3b2", "a key interpolated into a message shows only its id")
    }

    @Test func sealsToTextOfThePredictedSizeThatOpens() {
        let keyring = SecretKeyring(sealing: key)
        for plaintext in ["", "a", "ab", "abc", "sk-live-0123456789", String(repeating: "é", count: 300)] {
            let text = sealed(plaintext)
            #expect(text.hasPrefix("pk1.4624a3b2."))
            #expect(text.utf8.count == SealedText.count(plaintextCount: plaintext.utf8.count))
            #expect(text.utf8.allSatisfy { $0 < 0x80 }, "ASCII, for any TEXT column")
            #expect(keyring.open(text, associatedData: associated) == .success(Array(plaintext.utf8)))
        }
        #expect(sealed("same") != sealed("same"), "a fresh nonce for every value")
    }

    @Test func otherAssociatedDataDoesNotOpen() {
        let text = sealed("secret")
        let keyring = SecretKeyring(sealing: key)
        #expect(keyring.open(text, associatedData: Array("providers:prov_2:api_key".utf8)) == .failure(.invalid))
        #expect(keyring.open(text, associatedData: []) == .failure(.invalid))
    }

    @Test func anotherKeyDoesNotOpen() {
        let text = sealed("secret")
        #expect(SecretKeyring(sealing: otherKey).open(text, associatedData: associated) == .failure(.unknownKey))
        // The other key's id in the header: the tag fails under that key.
        let relabelled = "pk1.\(otherKey.id)." + text.dropFirst(SealedText.headerCount)
        #expect(SecretKeyring(sealing: otherKey).open(relabelled, associatedData: associated) == .failure(.invalid))
    }

    @Test func everyChangedCharacterIsRefused() {
        let text = Array(sealed("secret").utf8)
        let keyring = SecretKeyring(sealing: key)
        for index in text.indices {
            for replacement in [UInt8(ascii: "A"), UInt8(ascii: "-"), UInt8(ascii: "0")] where replacement != text[index] {
                var changed = text
                changed[index] = replacement
                let result = keyring.open(String(decoding: changed, as: UTF8.self), associatedData: associated)
                #expect(result == .failure(.invalid) || result == .failure(.unknownKey), "byte \(index)")
            }
        }
    }

    @Test func everyTruncationIsRefused() {
        let text = sealed("secret")
        let keyring = SecretKeyring(sealing: key)
        for count in 0..<text.utf8.count {
            let result = keyring.open(String(text.utf8.prefix(count))!, associatedData: associated)
            #expect(result == .failure(.invalid), "first \(count) characters")
        }
    }

    @Test func unknownKeyIdsAndFormatsAreToldApart() {
        let keyring = SecretKeyring(sealing: key)
        let payload = sealed("secret").dropFirst(SealedText.headerCount)
        #expect(keyring.open("pk1.00000000." + payload, associatedData: associated) == .failure(.unknownKey))
        #expect(keyring.open("pk2.4624a3b2." + payload, associatedData: associated) == .failure(.unknownKey))
        #expect(keyring.open("pk1.4624A3B2." + payload, associatedData: associated) == .failure(.invalid))
        #expect(keyring.open("PK1.4624a3b2." + payload, associatedData: associated) == .failure(.invalid))
        #expect(keyring.open("pk1.4624a3b2." + payload + "=", associatedData: associated) == .failure(.invalid))
        #expect(keyring.open("not sealed", associatedData: associated) == .failure(.invalid))
    }

    @Test func aBufferTooSmallIsReportedWithTheSizeNeeded() {
        let text = Array(sealed("twelve bytes").utf8)
        var out = [UInt8](repeating: 0xAA, count: 11)
        let result = text.withUnsafeBytes { sealedBytes in
            associated.withUnsafeBytes { associatedBytes in
                out.withUnsafeMutableBytes { SecretKeyring(sealing: key).open(sealedBytes, associatedData: associatedBytes, into: $0) }
            }
        }
        #expect(result == .failure(.bufferTooSmall(needed: 12)))
        #expect(out.allSatisfy { $0 == 0xAA }, "nothing written")
    }

    @Test func duringARotationTheNextKeySealsAndBothOpen() {
        let current = SecretKeyring(sealing: key)
        let rotating = SecretKeyring(sealing: otherKey, alsoOpening: [key])
        let old = sealed("old", by: current), new = sealed("new", by: rotating)
        #expect(new.hasPrefix("pk1.\(otherKey.id)."))
        #expect(rotating.open(old, associatedData: associated) == .success(Array("old".utf8)))
        #expect(rotating.open(new, associatedData: associated) == .success(Array("new".utf8)))
        #expect(current.open(new, associatedData: associated) == .failure(.unknownKey))
    }

    @Test func keyTextMustBeExactly64HexDigits() {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        guard case .success(let lower) = KeyEncryptionKey.parse(hex: hex),
              case .success(let upper) = KeyEncryptionKey.parse(hex: hex.uppercased()) else {
            Issue.record("64 hex digits are a key")
            return
        }
        #expect(lower.bytes == upper.bytes && lower.hex == hex)
        #expect(KeyEncryptionKey.parse(hex: String(hex.dropLast())).failure == .length(63))
        #expect(KeyEncryptionKey.parse(hex: hex + "0").failure == .length(65))
        #expect(KeyEncryptionKey.parse(hex: hex.dropLast() + "\n").failure == .notHex)
        #expect(KeyEncryptionKey.parse(hex: "").failure == .length(0))
        let problem = KeyEncryptionKey.parse(hex: "g" + hex.dropFirst()).failure
        #expect(problem == .notHex && !"\(problem!)".contains("g12"), "the message never repeats the text")
    }
}

extension Result {
    fileprivate var failure: Failure? { if case .failure(let failure) = self { failure } else { nil } }
}
